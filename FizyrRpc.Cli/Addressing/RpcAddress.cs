using System.Net;
using System.Net.Sockets;
using FizyrRpc.Transports;

namespace FizyrRpc.Cli.Addressing;

/// <summary>The transports an address can name.</summary>
internal enum AddressKind
{
    /// <summary><c>tcp://HOST:PORT</c>.</summary>
    Tcp,

    /// <summary><c>unix:PATH</c>: a Unix stream socket.</summary>
    UnixStream,

    /// <summary><c>unix-seqpacket:PATH</c>: a Unix seqpacket socket.</summary>
    UnixSeqpacket,
}

/// <summary>An address as the command line takes it: <c>tcp://HOST:PORT</c>, <c>unix:PATH</c> or <c>unix-seqpacket:PATH</c>.</summary>
/// <param name="Kind">The transport.</param>
/// <param name="Target">"host:port" for TCP (as <see cref="TcpPeer.ParseEndPoint"/> reads it), the socket path otherwise.</param>
internal sealed record RpcAddress(AddressKind Kind, string Target)
{
    private const string TcpScheme = "tcp://";
    private const string UnixScheme = "unix:";
    private const string SeqpacketScheme = "unix-seqpacket:";

    /// <summary>What the help text shows for an address.</summary>
    public const string Forms = "tcp://HOST:PORT, unix:PATH or unix-seqpacket:PATH";

    /// <summary>Whether the transport carries a byte stream (length-prefixed frames).</summary>
    public bool IsByteStream => Kind != AddressKind.UnixSeqpacket;

    /// <summary>Reads an address; returns false with a reason when it is not one of the three forms.</summary>
    public static bool TryParse(string text, out RpcAddress? address, out string? error)
    {
        address = null;
        error = null;
        if (text.StartsWith(TcpScheme, StringComparison.OrdinalIgnoreCase))
        {
            var target = text[TcpScheme.Length..].TrimEnd('/');
            try
            {
                TcpPeer.ParseEndPoint(target);
            }
            catch (FormatException e)
            {
                error = $"Invalid TCP address '{text}': {e.Message}";
                return false;
            }

            address = new RpcAddress(AddressKind.Tcp, target);
            return true;
        }

        // unix-seqpacket: first, since "unix:" is not its prefix but reads similarly.
        foreach (var (scheme, kind) in new[] { (SeqpacketScheme, AddressKind.UnixSeqpacket), (UnixScheme, AddressKind.UnixStream) })
        {
            if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                continue;
            var path = text[scheme.Length..];
            if (path.Length == 0)
            {
                error = $"Invalid address '{text}': the socket path is missing.";
                return false;
            }

            address = new RpcAddress(kind, path);
            return true;
        }

        error = $"Invalid address '{text}': expected {Forms}.";
        return false;
    }

    /// <summary>The address in the form the command line takes.</summary>
    public override string ToString() => Kind switch
    {
        AddressKind.Tcp => TcpScheme + Target,
        AddressKind.UnixStream => UnixScheme + Target,
        _ => SeqpacketScheme + Target,
    };

    /// <summary>The socket endpoint to connect to or bind (a host name stays a <see cref="DnsEndPoint"/>).</summary>
    public EndPoint EndPoint => Kind == AddressKind.Tcp ? TcpPeer.ParseEndPoint(Target) : new UnixDomainSocketEndPoint(Target);
}
