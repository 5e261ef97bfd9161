using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>The transport a <see cref="TransportAddress"/> names.</summary>
public enum TransportKind
{
    /// <summary>TCP: <c>tcp:HOST:PORT</c> or <c>tcp://HOST:PORT</c>.</summary>
    Tcp,

    /// <summary>A Unix stream socket: <c>unix-stream:PATH</c> or <c>unix:PATH</c>.</summary>
    UnixStream,

    /// <summary>A Unix seqpacket socket (descriptors travel with messages): <c>unix-seqpacket:PATH</c>.</summary>
    UnixSeqpacket,
}

/// <summary>Why a text is not a <see cref="TransportAddress"/>.</summary>
public enum TransportAddressError
{
    /// <summary>It is one.</summary>
    None,

    /// <summary>The text is empty or white space.</summary>
    Empty,

    /// <summary>The text starts with none of the schemes.</summary>
    UnknownScheme,

    /// <summary>A Unix socket's scheme with no path after it.</summary>
    MissingPath,

    /// <summary>A TCP scheme followed by something that is not "host:port", "ipv4:port" or "[ipv6]:port".</summary>
    InvalidTcpEndPoint,
}

/// <summary>
/// An address with its transport, in the forms the <c>fizyr-rpc</c> command line and configuration write:
/// <c>tcp:HOST:PORT</c> or <c>tcp://HOST:PORT</c>, <c>unix-stream:PATH</c> or <c>unix:PATH</c>, and
/// <c>unix-seqpacket:PATH</c>. Schemes are read without regard to case (as URI schemes are).
/// </summary>
/// <param name="Kind">The transport.</param>
/// <param name="Target">"host:port" for TCP (as <see cref="TcpPeer.ParseEndPoint"/> reads it), the socket path otherwise.</param>
public sealed record TransportAddress(TransportKind Kind, string Target)
{
    // Longest first where one scheme starts another ("tcp://" and "tcp:").
    private static readonly (string Scheme, TransportKind Kind)[] Schemes =
    [
        ("tcp://", TransportKind.Tcp),
        ("tcp:", TransportKind.Tcp),
        ("unix-seqpacket:", TransportKind.UnixSeqpacket),
        ("unix-stream:", TransportKind.UnixStream),
        ("unix:", TransportKind.UnixStream),
    ];

    /// <summary>Whether the transport carries a byte stream (length-prefixed frames) rather than datagrams.</summary>
    public bool IsByteStream => Kind != TransportKind.UnixSeqpacket;

    /// <summary>
    /// Reads an address. On failure, <paramref name="error"/> says which rule it broke and <paramref name="reason"/>
    /// says it in words (without the text itself, so that callers can name it as they show it).
    /// </summary>
    public static bool TryParse(
        string? text,
        [NotNullWhen(true)] out TransportAddress? address,
        out TransportAddressError error,
        [NotNullWhen(false)] out string? reason)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text))
            return Fail(TransportAddressError.Empty, "the address is empty", out error, out reason);

        foreach (var (scheme, kind) in Schemes)
        {
            if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                continue;
            var target = text[scheme.Length..];
            if (kind == TransportKind.Tcp)
            {
                // "tcp://host:port/" is how a URI is often copied.
                target = scheme.Length == "tcp://".Length ? target.TrimEnd('/') : target;
                try
                {
                    TcpPeer.ParseEndPoint(target);
                }
                catch (FormatException format)
                {
                    return Fail(TransportAddressError.InvalidTcpEndPoint, format.Message, out error, out reason);
                }
            }
            else if (target.Length == 0)
            {
                return Fail(TransportAddressError.MissingPath, "the socket path is missing", out error, out reason);
            }

            address = new TransportAddress(kind, target);
            error = TransportAddressError.None;
            reason = null;
            return true;
        }

        return Fail(TransportAddressError.UnknownScheme, "expected tcp:HOST:PORT, unix-stream:PATH or unix-seqpacket:PATH", out error, out reason);
    }

    /// <summary>The address in its configuration form: <c>tcp:HOST:PORT</c>, <c>unix-stream:PATH</c> or <c>unix-seqpacket:PATH</c>.</summary>
    public override string ToString() => Kind switch
    {
        TransportKind.Tcp => "tcp:" + Target,
        TransportKind.UnixStream => "unix-stream:" + Target,
        _ => "unix-seqpacket:" + Target,
    };

    /// <summary>The socket endpoint to connect to or bind (a host name stays a <see cref="DnsEndPoint"/>).</summary>
    public EndPoint ToEndPoint() => Kind == TransportKind.Tcp ? TcpPeer.ParseEndPoint(Target) : new UnixDomainSocketEndPoint(Target);

    private static bool Fail(TransportAddressError what, string why, out TransportAddressError error, out string reason)
    {
        error = what;
        reason = why;
        return false;
    }
}
