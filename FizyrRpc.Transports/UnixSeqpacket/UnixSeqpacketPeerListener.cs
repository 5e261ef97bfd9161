using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Accepts Unix seqpacket connections and starts a peer for each. Disposing it removes the socket file.</summary>
public sealed class UnixSeqpacketPeerListener : UnixPeerListener<UnixBody>
{
    private readonly UnixConfig? _config;

    private UnixSeqpacketPeerListener(Socket socket, string path, UnixConfig? config, PeerOptions? options)
        : base(socket, path, options) => _config = config;

    internal static UnixSeqpacketPeerListener Bind(string path, UnixConfig? config, PeerOptions? options)
    {
        config = config?.Snapshot(); // both checked before a socket exists, so a bad setting leaks nothing
        options = options?.Snapshot();
        return new UnixSeqpacketPeerListener(Bind(path, SocketType.Seqpacket), path, config, options);
    }

    private protected override IPeerTransport<UnixBody> CreateTransport(Socket socket, UnixConnectionInfo info) =>
        new UnixSeqpacketTransport(socket, _config, info);
}
