using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>The transports the sample speaks.</summary>
public enum EndpointKind
{
    /// <summary>TCP: "host:port".</summary>
    Tcp,

    /// <summary>A Unix stream socket: a path.</summary>
    UnixStream,

    /// <summary>A Unix seqpacket socket (one datagram per message, file descriptors passed along): a path.</summary>
    UnixSeqpacket,
}

/// <summary>Where the sample listens or connects: a transport and its address, as given on the command line.</summary>
/// <param name="Kind">The transport.</param>
/// <param name="Address">"host:port" for TCP, the socket path for the Unix transports.</param>
public sealed record ConformanceEndpoint(EndpointKind Kind, string Address)
{
    /// <summary>A TCP endpoint ("127.0.0.1:PORT").</summary>
    public static ConformanceEndpoint Tcp(string address) => new(EndpointKind.Tcp, address);

    /// <summary>A Unix stream socket endpoint.</summary>
    public static ConformanceEndpoint UnixStream(string path) => new(EndpointKind.UnixStream, path);

    /// <summary>A Unix seqpacket socket endpoint.</summary>
    public static ConformanceEndpoint UnixSeqpacket(string path) => new(EndpointKind.UnixSeqpacket, path);

    /// <summary>Whether the transport carries a byte stream (TCP, Unix stream), whose bodies are <see cref="StreamBody"/>.</summary>
    public bool IsByteStream => Kind != EndpointKind.UnixSeqpacket;

    /// <summary>Reads a command-line option pair: "--tcp HOST:PORT", "--unix-stream PATH" or "--unix-seqpacket PATH".</summary>
    public static bool TryParse(string option, string value, out ConformanceEndpoint? endpoint)
    {
        endpoint = option switch
        {
            "--tcp" when value.Length > 0 => Tcp(value),
            "--unix-stream" when value.Length > 0 => UnixStream(value),
            "--unix-seqpacket" when value.Length > 0 => UnixSeqpacket(value),
            _ => null,
        };
        return endpoint is not null;
    }

    /// <summary>Connects to a byte-stream endpoint with the scenario's stream settings.</summary>
    /// <exception cref="InvalidOperationException">The endpoint is a seqpacket socket: use <see cref="ConnectSeqpacketAsync"/>.</exception>
    public Task<PeerHandle<StreamBody>> ConnectAsync(CancellationToken cancellationToken) => Kind switch
    {
        EndpointKind.Tcp => TcpPeer.ConnectAsync(Address, Scenario.CreateStreamConfig(), null, cancellationToken),
        EndpointKind.UnixStream => UnixStreamPeer.ConnectAsync(Address, Scenario.CreateStreamConfig(), null, cancellationToken),
        _ => throw new InvalidOperationException($"{this} is not a byte-stream endpoint."),
    };

    /// <summary>Connects to a seqpacket endpoint with the scenario's seqpacket settings.</summary>
    /// <exception cref="InvalidOperationException">The endpoint is a byte-stream one: use <see cref="ConnectAsync"/>.</exception>
    /// <exception cref="PlatformNotSupportedException">Seqpacket sockets are not supported here (see <see cref="UnixSeqpacketPeer.IsSupported"/>).</exception>
    public Task<PeerHandle<UnixBody>> ConnectSeqpacketAsync(CancellationToken cancellationToken) => Kind == EndpointKind.UnixSeqpacket
        ? UnixSeqpacketPeer.ConnectAsync(Address, Scenario.CreateUnixConfig(), null, cancellationToken)
        : throw new InvalidOperationException($"{this} is not a seqpacket endpoint.");

    /// <summary>"host:port", "unix:PATH" or "seqpacket:PATH", as the independent peers of other implementations write it.</summary>
    public override string ToString() => Kind switch
    {
        EndpointKind.Tcp => Address,
        EndpointKind.UnixStream => $"unix:{Address}",
        _ => $"seqpacket:{Address}",
    };
}
