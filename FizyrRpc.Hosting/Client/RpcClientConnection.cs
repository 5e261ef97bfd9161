namespace FizyrRpc.Hosting;

/// <summary>
/// The connection behind the hosted client of <typeparamref name="TInterface"/> (resolve it from DI): its state, a
/// change event and a wait until connected. The connection is made on first use and made again, with jittered and
/// capped exponential backoff, whenever it is lost; calls pending at a loss fail at once with
/// <see cref="ConnectionClosedException"/>, and calls made while it is down wait for it up to
/// <see cref="RpcClientOptions.WaitForConnection"/>.
/// </summary>
/// <typeparam name="TInterface">The service interface the client implements.</typeparam>
public abstract class RpcClientConnection<TInterface>
    where TInterface : class
{
    private protected RpcClientConnection()
    {
    }

    /// <summary>Where the client connects.</summary>
    public abstract RpcEndpoint Endpoint { get; }

    /// <summary>The state now.</summary>
    public abstract RpcConnectionState State { get; }

    /// <summary>Why the last connection attempt failed or the last connection was lost; null before any.</summary>
    public abstract Exception? LastError { get; }

    /// <summary>Raised on every state change, on the thread that made it; a handler must not throw or block.</summary>
    public abstract event EventHandler<RpcConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>Starts connecting when idle, and completes once connected (at once when already connected).</summary>
    /// <exception cref="ConnectionClosedException">The client was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public abstract Task WaitUntilConnectedAsync(CancellationToken cancellationToken = default);
}
