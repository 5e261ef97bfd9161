namespace FizyrRpc.Hosting;

/// <summary>
/// A hosted server's settings, bound from configuration (e.g. <c>"Endpoints": ["tcp:0.0.0.0:5000"]</c>) and
/// validated when the host starts.
/// </summary>
public sealed class RpcServerOptions : RpcConnectionLimits
{
    /// <summary>Where to listen: one or more of <c>tcp:HOST:PORT</c>, <c>unix-stream:PATH</c>, <c>unix-seqpacket:PATH</c>.</summary>
    public IList<string> Endpoints { get; } = new List<string>();

    /// <summary>Connections served at once; a connection past it is closed as soon as it is accepted. Unlimited when unset.</summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// On shutdown, once the host's shutdown timeout has passed and the handlers still running were cancelled: how
    /// long they get to answer before their connections are closed under them (5 s by default).
    /// </summary>
    public TimeSpan AbortTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
