using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Connects to and listens for Fizyr RPC peers over Unix stream sockets.</summary>
public static class UnixStreamPeer
{
    /// <summary>Connects to the socket at <paramref name="path"/>.</summary>
    /// <exception cref="SocketException">The connection failed.</exception>
    public static async Task<PeerHandle<StreamBody>> ConnectAsync(
        string path,
        StreamConfig? config = null,
        PeerOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            var info = new UnixConnectionInfo(path, UnixSockets.GetPeerCredentials(socket));
            return Peer.Start(new StreamTransport(socket, config, info), options);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Listens on <paramref name="path"/>. A socket file left there by an earlier process is removed first; any other
    /// file is left alone and binding fails.
    /// </summary>
    /// <exception cref="IOException">Something other than a socket exists at the path.</exception>
    /// <exception cref="SocketException">The path cannot be bound.</exception>
    public static ValueTask<UnixStreamPeerListener> BindAsync(string path, StreamConfig? config = null, PeerOptions? options = null) =>
        ValueTask.FromResult(UnixStreamPeerListener.Bind(path, config, options));
}
