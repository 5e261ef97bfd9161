namespace FizyrRpc.Hosting;

/// <summary>
/// A hosted client's settings, bound from configuration (e.g. <c>"Endpoint": "tcp:camera:5000"</c>) and validated
/// when the host starts.
/// </summary>
public sealed class RpcClientOptions : RpcConnectionLimits
{
    /// <summary>Where the server is: <c>tcp:HOST:PORT</c>, <c>unix-stream:PATH</c> or <c>unix-seqpacket:PATH</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Connect when the host starts instead of on first use (false by default).</summary>
    public bool ConnectOnStart { get; set; }

    /// <summary>How long one connection attempt may take (10 s by default).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The pause after a loss before the first reconnect (jittered, up to half as much again), and before the first
    /// retry; later pauses grow exponentially, with jitter (100 ms by default).
    /// </summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between two attempts (5 s by default).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a call made while there is no connection waits for one before it fails with
    /// <see cref="ConnectionClosedException"/> (10 s by default). <see cref="TimeSpan.Zero"/> fails such calls at once
    /// (fail fast), except while the very first connection attempt is still under way.
    /// </summary>
    public TimeSpan WaitForConnection { get; set; } = TimeSpan.FromSeconds(10);
}
