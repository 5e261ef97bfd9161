using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Connects to and listens for Fizyr RPC peers over TCP (TCP_NODELAY on).</summary>
public static class TcpPeer
{
    /// <summary>
    /// Connects to <paramref name="address"/>: "host:port", "192.0.2.1:port" or "[::1]:port". A host name is resolved
    /// and its addresses are tried in order.
    /// </summary>
    /// <exception cref="FormatException">The address is not of that form.</exception>
    /// <exception cref="SocketException">No address of the host accepted the connection.</exception>
    public static Task<PeerHandle<StreamBody>> ConnectAsync(
        string address,
        StreamConfig? config = null,
        PeerOptions? options = null,
        CancellationToken cancellationToken = default) =>
        ConnectAsync(ParseEndPoint(address), config, options, cancellationToken);

    /// <summary>Connects to an <see cref="IPEndPoint"/> or a <see cref="DnsEndPoint"/>.</summary>
    /// <exception cref="SocketException">The connection failed.</exception>
    public static async Task<PeerHandle<StreamBody>> ConnectAsync(
        EndPoint endPoint,
        StreamConfig? config = null,
        PeerOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        config = config?.Snapshot(); // checked before a socket exists
        IPAddress[] addresses;
        int port;
        switch (endPoint)
        {
            case IPEndPoint ip:
                addresses = [ip.Address];
                port = ip.Port;
                break;
            case DnsEndPoint dns:
                addresses = await Dns.GetHostAddressesAsync(dns.Host, cancellationToken).ConfigureAwait(false);
                port = dns.Port;
                break;
            default:
                throw new ArgumentException($"Not a TCP endpoint: {endPoint}.", nameof(endPoint));
        }

        Exception? lastError = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                TcpKeepAlive.Apply(socket, config);
                var info = new TcpConnectionInfo((IPEndPoint)socket.LocalEndPoint!, (IPEndPoint)socket.RemoteEndPoint!);
                return Peer.Start(new StreamTransport(socket, config, info), options);
            }
            catch (SocketException error)
            {
                socket.Dispose();
                lastError = error;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastError ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Listens on <paramref name="address"/> ("127.0.0.1:0" picks a free port; see the listener's endpoint).</summary>
    /// <exception cref="FormatException">The address is not of the form "ip:port" or "[ipv6]:port".</exception>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public static ValueTask<TcpPeerListener> BindAsync(
        string address,
        StreamConfig? config = null,
        PeerOptions? options = null) =>
        BindAsync(ParseEndPoint(address) as IPEndPoint
            ?? throw new FormatException($"A listener needs an IP address, not a host name: '{address}'."), config, options);

    /// <summary>Listens on <paramref name="endPoint"/> (port 0 picks a free port).</summary>
    /// <exception cref="SocketException">The endpoint cannot be bound.</exception>
    public static ValueTask<TcpPeerListener> BindAsync(IPEndPoint endPoint, StreamConfig? config = null, PeerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        config = config?.Snapshot(); // both checked before a socket exists, so a bad setting leaks nothing
        options = options?.Snapshot();
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return ValueTask.FromResult(new TcpPeerListener(socket, config, options));
    }

    /// <summary>Parses "host:port", "ipv4:port" or "[ipv6]:port" into an <see cref="IPEndPoint"/> or a <see cref="DnsEndPoint"/>.</summary>
    /// <exception cref="FormatException">The address is not of that form.</exception>
    public static EndPoint ParseEndPoint(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (IPEndPoint.TryParse(address, out var ip) && (address.Contains(']', StringComparison.Ordinal) || address.Count(c => c == ':') == 1))
            return ip;
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || colon == address.Length - 1
            || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort)
            throw new FormatException($"Expected host:port, ipv4:port or [ipv6]:port, got '{address}'.");
        var host = address[..colon];
        if (host.Contains(':', StringComparison.Ordinal))
            throw new FormatException($"An IPv6 address needs brackets: '[{host}]:{port}'.");
        return IPAddress.TryParse(host, out var parsed) ? new IPEndPoint(parsed, port) : new DnsEndPoint(host, port);
    }
}
