using System.Net;
using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Accepts TCP connections and starts a peer for each (TCP_NODELAY on, keep-alive as the config says).</summary>
public sealed class TcpPeerListener : SocketPeerListener<StreamBody, TcpConnectionInfo>
{
    private readonly StreamConfig? _config;

    internal TcpPeerListener(Socket socket, StreamConfig? config, PeerOptions? options)
        : base(socket, options)
    {
        _config = config;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The address and port the listener is bound to.</summary>
    public IPEndPoint LocalEndPoint { get; }

    private protected override (IPeerTransport<StreamBody> Transport, TcpConnectionInfo Info) Wrap(Socket accepted)
    {
        accepted.NoDelay = true;
        TcpKeepAlive.Apply(accepted, _config);
        var info = new TcpConnectionInfo((IPEndPoint)accepted.LocalEndPoint!, (IPEndPoint)accepted.RemoteEndPoint!);
        return (new StreamTransport(accepted, _config, info), info);
    }
}
