namespace FizyrRpc.Hosting;

/// <summary>Where a hosted client's connection is.</summary>
public enum RpcConnectionState
{
    /// <summary>Not connected yet: the first call (or <c>WaitUntilConnectedAsync</c>, or <see cref="RpcClientOptions.ConnectOnStart"/>) connects.</summary>
    Idle,

    /// <summary>The first connection is being made.</summary>
    Connecting,

    /// <summary>Connected: calls go straight out.</summary>
    Connected,

    /// <summary>The connection was lost and is being made again, with backoff.</summary>
    Reconnecting,

    /// <summary>Disposed (the host stopped): every call fails.</summary>
    Disposed,
}

/// <summary>A change of a hosted client's <see cref="RpcConnectionState"/>.</summary>
/// <param name="previous">The state before.</param>
/// <param name="current">The state now.</param>
/// <param name="error">Why the connection was lost, when that is the change.</param>
public sealed class RpcConnectionStateChangedEventArgs(RpcConnectionState previous, RpcConnectionState current, Exception? error) : EventArgs
{
    /// <summary>The state before.</summary>
    public RpcConnectionState Previous { get; } = previous;

    /// <summary>The state now.</summary>
    public RpcConnectionState Current { get; } = current;

    /// <summary>Why the connection was lost, when that is the change.</summary>
    public Exception? Error { get; } = error;
}
