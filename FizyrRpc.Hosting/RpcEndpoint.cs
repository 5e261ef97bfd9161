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
    private const string Forms = "tcp:HOST:PORT, unix-stream:PATH or unix-seqpacket:PATH";

    /// <summary>Parses an endpoint.</summary>
    /// <exception cref="FormatException">The text is not of one of the forms above.</exception>
    public static RpcEndpoint Parse(string text) =>
        TryParse(text, out var endpoint, out var error) ? endpoint : throw new FormatException(error);

    /// <summary>Parses an endpoint; <paramref name="error"/> says why when it is not one.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out RpcEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        // The transports' one address reader: the fizyr-rpc command line's forms are accepted too, so an address
        // copied from one works in the other. Errors name the endpoint as it was written.
        if (TransportAddress.TryParse(text, out var address, out var why, out var reason))
        {
            endpoint = new RpcEndpoint(
                address.Kind switch
                {
                    TransportKind.Tcp => RpcEndpointKind.Tcp,
                    TransportKind.UnixStream => RpcEndpointKind.UnixStream,
                    _ => RpcEndpointKind.UnixSeqpacket,
                },
                address.Target);
            error = null;
            return true;
        }

        endpoint = null;
        error = why switch
        {
            TransportAddressError.Empty => $"the endpoint is empty; expected {Forms}",
            TransportAddressError.InvalidTcpEndPoint => $"'{text}' is not a TCP endpoint: {reason}",
            TransportAddressError.MissingPath => $"'{text}' is not an endpoint: {reason}",
            _ => $"'{text}' is not an endpoint; expected {Forms}",
        };
        return false;
    }

    /// <summary>The endpoint as configuration writes it.</summary>
    public override string ToString() => Kind switch
    {
        RpcEndpointKind.Tcp => "tcp:" + Address,
        RpcEndpointKind.UnixStream => "unix-stream:" + Address,
        _ => "unix-seqpacket:" + Address,
    };
}
