using System.Net;
using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>The kernel buffer sizes of both ends of a connection, as the kernel reports them.</summary>
internal sealed record SocketBuffers(int RawSend, int RawReceive, int PeerSend, int PeerReceive)
{
    /// <summary>The most bytes the kernel can hold in flight in one direction, generously: both ends' buffers, twice over.</summary>
    public long InFlightBound => 2L * (RawSend + RawReceive + PeerSend + PeerReceive);
}

/// <summary>
/// A raw socket facing a real peer whose socket has small, fixed kernel buffers (set before the connection is used,
/// so TCP does not grow them), for tests that need to know how much the kernel alone can absorb. The peer is started
/// on the accepted socket exactly as a listener does it (<see cref="FizyrRpc.Peer.Start{TBody}"/> over a
/// <see cref="StreamTransport"/>).
/// </summary>
internal static class SmallBufferPeer
{
    /// <summary>The buffer size asked for on every socket (the kernel doubles it for its bookkeeping).</summary>
    public const int BufferSize = 16 * 1024;

    public static async Task<(RawPeer Raw, SocketBuffers Buffers)> ConnectAsync(
        LoopbackKind kind,
        PeerOptions options,
        StreamConfig? config = null)
    {
        var folder = kind == LoopbackKind.Unix ? TempFolder.Create() : null;
        Socket? raw = null;
        Socket? accepted = null;
        try
        {
            using var listener = NewSocket(kind);
            EndPoint endPoint = kind == LoopbackKind.Tcp
                ? new IPEndPoint(IPAddress.Loopback, 0)
                : new UnixDomainSocketEndPoint(folder!.SocketPath);
            listener.Bind(endPoint);
            listener.Listen(1);
            raw = NewSocket(kind);
            var accept = listener.AcceptAsync();
            await raw.ConnectAsync(listener.LocalEndPoint!).WithTimeout();
            accepted = await accept.WithTimeout();
            SetBuffers(accepted);
            var buffers = new SocketBuffers(raw.SendBufferSize, raw.ReceiveBufferSize, accepted.SendBufferSize, accepted.ReceiveBufferSize);
            ConnectionInfo info = kind == LoopbackKind.Tcp
                ? new TcpConnectionInfo((IPEndPoint)accepted.LocalEndPoint!, (IPEndPoint)accepted.RemoteEndPoint!)
                : new UnixConnectionInfo(folder!.SocketPath, null);
            var peer = FizyrRpc.Peer.Start(new StreamTransport(accepted, config, info), options);
            return (new RawPeer(raw, peer, info, config?.Endian ?? Endian.Little, folder), buffers);
        }
        catch
        {
            raw?.Dispose();
            accepted?.Dispose();
            folder?.Dispose();
            throw;
        }
    }

    private static Socket NewSocket(LoopbackKind kind)
    {
        var socket = kind == LoopbackKind.Tcp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        SetBuffers(socket);
        return socket;
    }

    // Setting them also turns off TCP's buffer autotuning, so they stay this small.
    private static void SetBuffers(Socket socket)
    {
        socket.SendBufferSize = BufferSize;
        socket.ReceiveBufferSize = BufferSize;
    }
}
