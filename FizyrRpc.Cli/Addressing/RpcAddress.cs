using System.Net;
using FizyrRpc.Transports;

namespace FizyrRpc.Cli.Addressing;

/// <summary>An address as the command line takes it: <c>tcp://HOST:PORT</c>, <c>unix:PATH</c> or <c>unix-seqpacket:PATH</c>.</summary>
/// <remarks>
/// Read by <see cref="TransportAddress.TryParse"/>, as Hosting's endpoints are, so configuration's forms
/// (<c>tcp:HOST:PORT</c>, <c>unix-stream:PATH</c>) work here too; the help text shows the command line's own.
/// </remarks>
/// <param name="Kind">The transport.</param>
/// <param name="Target">"host:port" for TCP (as <see cref="TcpPeer.ParseEndPoint"/> reads it), the socket path otherwise.</param>
internal sealed record RpcAddress(TransportKind Kind, string Target)
{
    private const string TcpScheme = "tcp://";
    private const string UnixScheme = "unix:";
    private const string SeqpacketScheme = "unix-seqpacket:";

    /// <summary>What the help text shows for an address.</summary>
    public const string Forms = "tcp://HOST:PORT, unix:PATH or unix-seqpacket:PATH";

    /// <summary>Whether the transport carries a byte stream (length-prefixed frames).</summary>
    public bool IsByteStream => Kind != TransportKind.UnixSeqpacket;

    /// <summary>Reads an address; returns false with a reason when it is not one of the forms.</summary>
    public static bool TryParse(string text, out RpcAddress? address, out string? error)
    {
        if (TransportAddress.TryParse(text, out var parsed, out var why, out var reason))
        {
            address = new RpcAddress(parsed.Kind, parsed.Target);
            error = null;
            return true;
        }

        address = null;
        error = why switch
        {
            TransportAddressError.InvalidTcpEndPoint => $"Invalid TCP address '{text}': {reason}",
            TransportAddressError.MissingPath => $"Invalid address '{text}': the socket path is missing.",
            _ => $"Invalid address '{text}': expected {Forms}.",
        };
        return false;
    }

    /// <summary>The address in the form the command line takes.</summary>
    public override string ToString() => Kind switch
    {
        TransportKind.Tcp => TcpScheme + Target,
        TransportKind.UnixStream => UnixScheme + Target,
        _ => SeqpacketScheme + Target,
    };

    /// <summary>The socket endpoint to connect to or bind (a host name stays a <see cref="DnsEndPoint"/>).</summary>
    public EndPoint EndPoint => new TransportAddress(Kind, Target).ToEndPoint();
}
