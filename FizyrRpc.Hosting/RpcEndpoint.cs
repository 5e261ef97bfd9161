using System.Diagnostics.CodeAnalysis;
using FizyrRpc.Transports;

namespace FizyrRpc.Hosting;

/// <summary>The transport of an endpoint.</summary>
public enum RpcEndpointKind
{
    /// <summary>TCP: <c>tcp:HOST:PORT</c>.</summary>
    Tcp,

    /// <summary>A Unix stream socket: <c>unix-stream:PATH</c>.</summary>
    UnixStream,

    /// <summary>A Unix seqpacket socket (descriptors travel with messages): <c>unix-seqpacket:PATH</c>.</summary>
    UnixSeqpacket,
}

/// <summary>
/// Where a server listens or a client connects, written as in configuration: <c>tcp:127.0.0.1:5000</c>,
/// <c>tcp:[::1]:5000</c>, <c>unix-stream:/run/camera.sock</c> or <c>unix-seqpacket:/run/camera.sock</c> (the
/// conformance sample's <c>--tcp</c>, <c>--unix-stream</c> and <c>--unix-seqpacket</c>). The <c>fizyr-rpc</c> command
/// line's forms, <c>tcp://HOST:PORT</c> and <c>unix:PATH</c>, are read as well.
/// </summary>
/// <param name="Kind">The transport.</param>
/// <param name="Address">"host:port" for TCP, the socket path for Unix sockets.</param>
public sealed record RpcEndpoint(RpcEndpointKind Kind, string Address)
{
    private const string TcpPrefix = "tcp:";
    private const string UnixStreamPrefix = "unix-stream:";
    private const string UnixSeqpacketPrefix = "unix-seqpacket:";
    private const string TcpUriPrefix = "tcp://";
    private const string UnixPrefix = "unix:";

    /// <summary>Parses an endpoint.</summary>
    /// <exception cref="FormatException">The text is not of one of the forms above.</exception>
    public static RpcEndpoint Parse(string text) =>
        TryParse(text, out var endpoint, out var error) ? endpoint : throw new FormatException(error);

    /// <summary>Parses an endpoint; <paramref name="error"/> says why when it is not one.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out RpcEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the endpoint is empty; expected tcp:HOST:PORT, unix-stream:PATH or unix-seqpacket:PATH";
            return false;
        }

        // The fizyr-rpc command line's forms are accepted too, so an address copied from one works in the other.
        var written = text;
        if (text.StartsWith(TcpUriPrefix, StringComparison.Ordinal))
            text = TcpPrefix + text[TcpUriPrefix.Length..];
        else if (text.StartsWith(UnixPrefix, StringComparison.Ordinal))
            text = UnixStreamPrefix + text[UnixPrefix.Length..];

        if (text.StartsWith(TcpPrefix, StringComparison.Ordinal))
        {
            var address = text[TcpPrefix.Length..];
            try
            {
                TcpPeer.ParseEndPoint(address);
            }
            catch (FormatException format)
            {
                error = $"'{written}' is not a TCP endpoint: {format.Message}";
                return false;
            }

            endpoint = new RpcEndpoint(RpcEndpointKind.Tcp, address);
        }
        else if (text.StartsWith(UnixStreamPrefix, StringComparison.Ordinal) && text.Length > UnixStreamPrefix.Length)
        {
            endpoint = new RpcEndpoint(RpcEndpointKind.UnixStream, text[UnixStreamPrefix.Length..]);
        }
        else if (text.StartsWith(UnixSeqpacketPrefix, StringComparison.Ordinal) && text.Length > UnixSeqpacketPrefix.Length)
        {
            endpoint = new RpcEndpoint(RpcEndpointKind.UnixSeqpacket, text[UnixSeqpacketPrefix.Length..]);
        }
        else
        {
            error = $"'{written}' is not an endpoint; expected tcp:HOST:PORT, unix-stream:PATH or unix-seqpacket:PATH";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The endpoint as configuration writes it.</summary>
    public override string ToString() => Kind switch
    {
        RpcEndpointKind.Tcp => TcpPrefix + Address,
        RpcEndpointKind.UnixStream => UnixStreamPrefix + Address,
        _ => UnixSeqpacketPrefix + Address,
    };
}
