using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>The transports the sample speaks.</summary>
public enum EndpointKind
{
    /// <summary>TCP: "host:port".</summary>
    Tcp,

    /// <summary>A Unix stream socket: a path.</summary>
    UnixStream,
}

/// <summary>Where the sample listens or connects: a transport and its address, as given on the command line.</summary>
/// <param name="Kind">The transport.</param>
/// <param name="Address">"host:port" for TCP, the socket path for Unix stream.</param>
public sealed record ConformanceEndpoint(EndpointKind Kind, string Address)
{
    /// <summary>A TCP endpoint ("127.0.0.1:PORT").</summary>
    public static ConformanceEndpoint Tcp(string address) => new(EndpointKind.Tcp, address);

    /// <summary>A Unix stream socket endpoint.</summary>
    public static ConformanceEndpoint UnixStream(string path) => new(EndpointKind.UnixStream, path);

    /// <summary>Reads a command-line option pair: "--tcp HOST:PORT" or "--unix-stream PATH".</summary>
    public static bool TryParse(string option, string value, out ConformanceEndpoint? endpoint)
    {
        endpoint = option switch
        {
            "--tcp" when value.Length > 0 => Tcp(value),
            "--unix-stream" when value.Length > 0 => UnixStream(value),
            _ => null,
        };
        return endpoint is not null;
    }

    /// <summary>Connects with the scenario's stream settings.</summary>
    public Task<PeerHandle<StreamBody>> ConnectAsync(CancellationToken cancellationToken) => Kind switch
    {
        EndpointKind.Tcp => TcpPeer.ConnectAsync(Address, Scenario.CreateStreamConfig(), null, cancellationToken),
        _ => UnixStreamPeer.ConnectAsync(Address, Scenario.CreateStreamConfig(), null, cancellationToken),
    };

    /// <summary>"host:port" or "unix:PATH", as the probes of other implementations write it.</summary>
    public override string ToString() => Kind == EndpointKind.Tcp ? Address : $"unix:{Address}";
}
