using System.Buffers.Binary;
using System.Net.Sockets;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>Floods a raw socket with frames and measures how much the other end takes before it stops reading.</summary>
internal static class Flood
{
    /// <summary>
    /// How long a full socket must stay unwritable to count as stalled. Only the stall is detected with it; the
    /// verdict is the byte count, so a slow machine can only make a correct peer stall sooner, never fail it.
    /// </summary>
    private static readonly TimeSpan StallWait = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Sends <paramref name="data"/> without blocking until the socket stays full (the other end stopped reading), all
    /// of it was taken, or more than <paramref name="limit"/> bytes were taken. Returns the number of bytes taken.
    /// </summary>
    public static long SendUntilStalled(Socket socket, byte[] data, long limit)
    {
        socket.Blocking = false;
        try
        {
            var offset = 0;
            while (offset < data.Length && offset <= limit)
            {
                var sent = socket.Send(data, offset, data.Length - offset, SocketFlags.None, out var error);
                if (error == SocketError.Success)
                {
                    offset += sent;
                    continue;
                }

                if (error != SocketError.WouldBlock)
                    throw new SocketException((int)error);
                if (!socket.Poll(StallWait, SelectMode.SelectWrite))
                    break;
            }

            return offset;
        }
        finally
        {
            socket.Blocking = true;
        }
    }

    /// <summary>
    /// <paramref name="count"/> frames of <paramref name="bodyLength"/> bytes each, in one buffer; frame i carries i in
    /// its first four body bytes and <paramref name="header"/>(i) as its header.
    /// </summary>
    public static byte[] Frames(int count, int bodyLength, Func<int, MessageHeader> header)
    {
        var frameLength = StreamFraming.PrefixAndHeaderSize + bodyLength;
        var data = new byte[count * frameLength];
        for (var i = 0; i < count; i++)
        {
            var frame = data.AsSpan(i * frameLength, frameLength);
            StreamFraming.WritePrefixAndHeader(frame, header(i), bodyLength, Endian.Little);
            if (bodyLength >= 4)
                BinaryPrimitives.WriteInt32LittleEndian(frame[StreamFraming.PrefixAndHeaderSize..], i);
        }

        return data;
    }

    /// <summary>
    /// Sends numbered 8 KiB stream messages (service 5, the number in the first four body bytes) to a remote that reads
    /// nothing, more than the kernel, one write batch (at most 1 MiB) and the outgoing queue can hold, so the last
    /// sends stay waiting for room in the queue, in order. Returns every send.
    /// </summary>
    public static List<Task> FillOutgoing(PeerHandle<StreamBody> peer, SocketBuffers buffers, PeerOptions options)
    {
        const int bodyLength = 8 * 1024;
        const int frameLength = StreamFraming.PrefixAndHeaderSize + bodyLength;
        var count = (int)((buffers.InFlightBound + (1 << 20) + (4 * frameLength)) / frameLength) + options.OutgoingQueueCapacity + 2;
        var sends = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var body = new byte[bodyLength];
            BinaryPrimitives.WriteInt32LittleEndian(body, i);
            sends.Add(peer.SendStreamAsync(5, body).AsTask());
        }

        Assert.That(sends[^1].IsCompleted, Is.False, "the outgoing queue is full");
        return sends;
    }

    /// <summary>The number in the first four bytes of a body.</summary>
    public static int Number(ReadOnlySpan<byte> body) => BinaryPrimitives.ReadInt32LittleEndian(body);
}
