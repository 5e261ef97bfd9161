using System.Diagnostics;
using System.Net.Sockets;

/// <summary>
/// The seqpacket floor's framing: one datagram per message, the 12-byte header and the body with no length prefix, as
/// the Unix seqpacket transport sends them. Every frame is its own send and its own receive.
/// </summary>
internal sealed class SeqpacketFrameSocket : FrameSocket
{
    private const int Header = 12;
    private readonly byte[] _receive;
    private readonly byte[] _send;

    public SeqpacketFrameSocket(Socket socket, int bodySize)
        : base(socket)
    {
        _receive = new byte[Header + bodySize];
        _send = new byte[Header + bodySize];
    }

    public override async ValueTask<int> ReceiveAsync() =>
        await Socket.ReceiveAsync(_receive.AsMemory(), SocketFlags.None) == 0 ? 0 : 1;

    public override long BufferCost(int frames) => frames * (_send.Length + 1024L);

    public override long StampOf(int index) => ReadStamp(_receive.AsSpan(Header));

    public override async ValueTask SendAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Stamp(_send.AsSpan(Header), Stopwatch.GetTimestamp());
            await Socket.SendAsync(_send.AsMemory(), SocketFlags.None);
        }
    }
}
