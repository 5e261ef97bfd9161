using System.Buffers.Binary;
using System.Diagnostics;
using FizyrRpc;

/// <summary>
/// The send time in a one-way message's first body bytes: the receiver in this process measures latency from it. The
/// bodies come from a ring far larger than the engine's outgoing queue (a send waits while that queue is full), so a
/// body is stamped again only long after it was written, and the sender allocates nothing per message, like the floor.
/// </summary>
internal sealed class OneWayStamp(int bodySize)
{
    private readonly byte[][] _ring = Enumerable.Range(0, 4 * new PeerOptions().OutgoingQueueCapacity).Select(_ => new byte[bodySize]).ToArray();
    private int _next;

    public ReadOnlyMemory<byte> NextBody()
    {
        var body = _ring[_next++ % _ring.Length];
        if (body.Length >= sizeof(long))
            BinaryPrimitives.WriteInt64LittleEndian(body, Stopwatch.GetTimestamp());
        return body;
    }

    public static long Read(ReadOnlySpan<byte> body) =>
        body.Length >= sizeof(long) ? BinaryPrimitives.ReadInt64LittleEndian(body) : Stopwatch.GetTimestamp();
}
