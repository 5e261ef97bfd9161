using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Accepts Unix stream connections and starts a peer for each. Disposing it removes the socket file.</summary>
public sealed class UnixStreamPeerListener : UnixPeerListener<StreamBody>
{
    private readonly StreamConfig? _config;

    private UnixStreamPeerListener(Socket socket, string path, StreamConfig? config, PeerOptions? options)
        : base(socket, path, options) => _config = config;

    internal static UnixStreamPeerListener Bind(string path, StreamConfig? config, PeerOptions? options)
    {
        config = config?.Snapshot(); // both checked before a socket exists, so a bad setting leaks nothing
        options = options?.Snapshot();
        return new UnixStreamPeerListener(Bind(path, SocketType.Stream), path, config, options);
    }

    private protected override IPeerTransport<StreamBody> CreateTransport(Socket socket, UnixConnectionInfo info) =>
        new StreamTransport(socket, _config, info);
}
