namespace FizyrRpc.Hosting;

/// <summary>
/// A hosted server of <typeparamref name="TServer"/> as the application sees it (resolve it from DI): where it
/// listens and how many connections it serves. The host starts and stops it.
/// </summary>
/// <typeparam name="TServer">The server implementation, a subclass of a generated server base.</typeparam>
public abstract class RpcServerHost<TServer>
    where TServer : class
{
    private protected RpcServerHost()
    {
    }

    /// <summary>The endpoints listened on, with the real port where port 0 was configured; empty until the host has started.</summary>
    public abstract IReadOnlyList<RpcEndpoint> Endpoints { get; }

    /// <summary>Whether every configured endpoint is accepting connections.</summary>
    public abstract bool IsListening { get; }

    /// <summary>The connections being served now.</summary>
    public abstract int OpenConnections { get; }
}
