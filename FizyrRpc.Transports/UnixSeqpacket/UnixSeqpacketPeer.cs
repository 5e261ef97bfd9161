using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Connects to and listens for Fizyr RPC peers over Unix seqpacket sockets, with file descriptor passing.</summary>
public static class UnixSeqpacketPeer
{
    /// <summary>Whether this platform supports the seqpacket transport (Linux, 64-bit).</summary>
    public static bool IsSupported => SocketMessages.IsSupported;

    /// <summary>Connects to the seqpacket socket at <paramref name="path"/>.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux (64-bit).</exception>
    /// <exception cref="SocketException">The connection failed.</exception>
    public static async Task<PeerHandle<UnixBody>> ConnectAsync(
        string path,
        UnixConfig? config = null,
        PeerOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ThrowIfNotSupported();
        var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            var info = new UnixConnectionInfo(path, UnixSockets.GetPeerCredentials(socket));
            return Peer.Start(new UnixSeqpacketTransport(socket, config, info), options);
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
    /// <exception cref="PlatformNotSupportedException">Not on Linux (64-bit).</exception>
    /// <exception cref="IOException">Something other than a socket exists at the path.</exception>
    /// <exception cref="SocketException">The path cannot be bound.</exception>
    public static ValueTask<UnixSeqpacketPeerListener> BindAsync(string path, UnixConfig? config = null, PeerOptions? options = null)
    {
        ThrowIfNotSupported();
        return ValueTask.FromResult(UnixSeqpacketPeerListener.Bind(path, config, options));
    }

    internal static void ThrowIfNotSupported()
    {
        if (!IsSupported)
            throw new PlatformNotSupportedException("Unix seqpacket sockets with descriptor passing are supported on 64-bit Linux only.");
    }
}
