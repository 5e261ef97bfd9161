using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;

/// <summary>
/// Fixed-size frames on a raw socket, the only thing the floor's loops need: receive whole frames, send N frames. The
/// stream variant (length prefix + 12-byte header + body, as the protocol frames it) batches frames into one send; the
/// seqpacket variant (<see cref="SeqpacketFrameSocket"/>) sends each frame as its own datagram. Each frame sent carries
/// the send time in its first body bytes so a one-way receiver can measure latency without a reply.
/// </summary>
internal abstract class FrameSocket : IDisposable
{
    protected const int StampSize = sizeof(long);

    protected FrameSocket(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>Waits for at least one whole frame; returns how many arrived, 0 when the peer shut down.</summary>
    public abstract ValueTask<int> ReceiveAsync();

    /// <summary>The send time stamped in frame <paramref name="index"/> of the last receive (0 when the body is too short).</summary>
    public abstract long StampOf(int index);

    /// <summary>
    /// What <paramref name="frames"/> frames take of the kernel's socket buffers: the bytes for a stream; for seqpacket
    /// each datagram is its own kernel buffer, which costs about a kilobyte beyond its bytes.
    /// </summary>
    public abstract long BufferCost(int frames);

    /// <summary>Sends <paramref name="count"/> frames stamped with the current time.</summary>
    public abstract ValueTask SendAsync(int count);

    public static FrameSocket Create(Socket socket, int bodySize, bool seqpacket) =>
        seqpacket ? new SeqpacketFrameSocket(socket, bodySize) : new StreamFrameSocket(socket, bodySize);

    protected static void Stamp(Span<byte> body, long now)
    {
        if (body.Length >= StampSize)
            BinaryPrimitives.WriteInt64LittleEndian(body, now);
    }

    protected static long ReadStamp(ReadOnlySpan<byte> body) =>
        body.Length >= StampSize ? BinaryPrimitives.ReadInt64LittleEndian(body) : 0;

    public void Dispose() => Socket.Dispose();

    protected static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
            data = data[await socket.SendAsync(data, SocketFlags.None)..];
    }

    /// <summary>Length-prefixed frames on a stream socket: one receive may hold many frames and a frame may span receives.</summary>
    private sealed class StreamFrameSocket : FrameSocket
    {
        private const int Prefix = 4, Header = 12;
        private readonly int _frameSize;
        private readonly byte[] _receive;
        private readonly byte[] _send;
        private readonly int _framesPerSend;
        private int _buffered;
        private int _consumed;

        public StreamFrameSocket(Socket socket, int bodySize)
            : base(socket)
        {
            _frameSize = Prefix + Header + bodySize;
            _receive = new byte[(64 * 1024) + _frameSize];
            // Small frames go out up to 64 KiB at a time, as a client that batches its writes would.
            _framesPerSend = Math.Max(1, 64 * 1024 / _frameSize);
            _send = new byte[_framesPerSend * _frameSize];
            for (var i = 0; i < _framesPerSend; i++)
                BinaryPrimitives.WriteUInt32LittleEndian(_send.AsSpan(i * _frameSize), (uint)(_frameSize - Prefix));
        }

        public override async ValueTask<int> ReceiveAsync()
        {
            // What the caller has seen of the last receive goes; a partial frame moves to the front.
            Buffer.BlockCopy(_receive, _consumed, _receive, 0, _buffered - _consumed);
            _buffered -= _consumed;
            _consumed = 0;
            while (_buffered < _frameSize)
            {
                var n = await Socket.ReceiveAsync(_receive.AsMemory(_buffered), SocketFlags.None);
                if (n == 0)
                    return 0;
                _buffered += n;
            }

            var whole = _buffered / _frameSize;
            _consumed = whole * _frameSize;
            return whole;
        }

        public override long BufferCost(int frames) => (long)frames * _frameSize;

        public override long StampOf(int index) => ReadStamp(_receive.AsSpan((index * _frameSize) + Prefix + Header));

        public override async ValueTask SendAsync(int count)
        {
            while (count > 0)
            {
                var batch = Math.Min(count, _framesPerSend);
                var now = Stopwatch.GetTimestamp();
                for (var i = 0; i < batch; i++)
                    Stamp(_send.AsSpan((i * _frameSize) + Prefix + Header), now);
                await SendAllAsync(Socket, _send.AsMemory(0, batch * _frameSize));
                count -= batch;
            }
        }
    }
}
