using System.Buffers;
using System.Buffers.Binary;

namespace FizyrRpc.Tests.Wire;

/// <summary>The checks of <see cref="StreamFraming.TryReadFrame"/> on the length field and the message type, at their boundaries.</summary>
public class FramingLimitTests
{
    private const long MaxBody = FrameReading.DefaultMaxBody;

    [Test]
    public void EveryLengthBelowTwelveIsTooShortWithOnlyTheLengthField(
        [Range(0u, 11u)] uint length,
        [Values(Endian.Little, Endian.Big)] Endian endian)
    {
        var exception = Assert.Throws<RpcProtocolException>(() => Read(Prefix(length, endian), endian, MaxBody))!;
        Assert.That(exception.Error, Is.EqualTo(ProtocolError.MessageTooShort));
        Assert.That(exception.IsFatal, Is.True);
    }

    [Test]
    public void ABodyOneOverTheLimitIsRejectedWithOnlyTheLengthField(
        [Values(0L, 1L, 8192L, 65536L)] long limit,
        [Values(Endian.Little, Endian.Big)] Endian endian)
    {
        var length = (uint)(MessageHeader.Size + limit + 1);
        var exception = Assert.Throws<RpcProtocolException>(() => Read(Prefix(length, endian), endian, limit))!;
        Assert.That(exception.Error, Is.EqualTo(ProtocolError.PayloadTooLarge));
        Assert.That(exception.IsFatal, Is.True);
    }

    [Test]
    public void ABodyExactlyAtTheLimitIsWaitedFor(
        [Values(0L, 1L, 8192L, 65536L)] long limit,
        [Values(Endian.Little, Endian.Big)] Endian endian)
    {
        var length = (uint)(MessageHeader.Size + limit);
        if (limit == 0)
        {
            // Length 12 with only the 4 length bytes: the header is still missing.
            Assert.That(Read(Prefix(length, endian), endian, limit), Is.False);
            return;
        }

        var bytes = new byte[StreamFraming.PrefixAndHeaderSize];
        StreamFraming.WritePrefixAndHeader(bytes, MessageHeader.Request(1, 2), limit, endian);
        Assert.That(Read(bytes, endian, limit), Is.False);
    }

    [Test]
    public void TheLargestLengthIsRejectedWithOnlyTheLengthField([Values(Endian.Little, Endian.Big)] Endian endian)
    {
        var exception = Assert.Throws<RpcProtocolException>(() => Read(Prefix(uint.MaxValue, endian), endian, MaxBody))!;
        Assert.That(exception.Error, Is.EqualTo(ProtocolError.PayloadTooLarge));
    }

    [Test]
    public void TheLargestLengthIsWaitedForWhenTheLimitAllowsIt()
    {
        // Length 0xFFFFFFFF is a body of 2^32 - 1 - 12 bytes: legal with the largest limit, and then simply incomplete.
        var bytes = new byte[StreamFraming.PrefixAndHeaderSize];
        StreamFraming.WritePrefixAndHeader(bytes, MessageHeader.Request(1, 2), uint.MaxValue - MessageHeader.Size, Endian.Little);
        Assert.That(bytes[..4], Is.EqualTo(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }));
        Assert.That(Read(bytes, Endian.Little, uint.MaxValue - MessageHeader.Size), Is.False);
    }

    [Test]
    public void AnEmptyBodyIsAcceptedWithALimitOfZero()
    {
        var writer = new ArrayBufferWriter<byte>();
        StreamFraming.WriteFrame(writer, MessageHeader.Stream(9), ReadOnlySpan<byte>.Empty, Endian.Little);
        var frames = FrameReading.ReadAll(writer.WrittenSpan.ToArray(), Endian.Little, maxBodyLength: 0);
        Assert.That(frames.Single().Header, Is.EqualTo(MessageHeader.Stream(9)));
    }

    [Test]
    public void EveryInvalidTypeIsRejectedWithOnlyLengthAndType(
        [Values(5u, 6u, 0x100u, 0x8000_0000u, uint.MaxValue)] uint type,
        [Values(Endian.Little, Endian.Big)] Endian endian)
    {
        var bytes = new byte[8];
        Write(bytes, MessageHeader.Size, endian);
        Write(bytes.AsSpan(4), type, endian);
        var exception = Assert.Throws<RpcProtocolException>(() => Read(bytes, endian, MaxBody))!;
        Assert.That(exception.Error, Is.EqualTo(ProtocolError.InvalidMessageType));
        Assert.That(exception.IsFatal, Is.True);
    }

    [Test]
    public void EveryValidTypeWithOnlyLengthAndTypeIsIncomplete(
        [Range(0u, 4u)] uint type,
        [Values(Endian.Little, Endian.Big)] Endian endian)
    {
        var bytes = new byte[8];
        Write(bytes, MessageHeader.Size, endian);
        Write(bytes.AsSpan(4), type, endian);
        Assert.That(Read(bytes, endian, MaxBody), Is.False);
    }

    [Test]
    public void AnInvalidTypeIsRejectedBeforeTheBodyArrives()
    {
        // A 100-byte body is announced; 12 bytes of it are there: the type alone decides.
        var bytes = new byte[StreamFraming.PrefixAndHeaderSize + 12];
        Write(bytes, MessageHeader.Size + 100, Endian.Little);
        Write(bytes.AsSpan(4), 5, Endian.Little);
        var exception = Assert.Throws<RpcProtocolException>(() => Read(bytes, Endian.Little, MaxBody))!;
        Assert.That(exception.Error, Is.EqualTo(ProtocolError.InvalidMessageType));
    }

    private static bool Read(byte[] bytes, Endian endian, long limit)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return StreamFraming.TryReadFrame(ref buffer, endian, limit, out _, out _);
    }

    private static byte[] Prefix(uint length, Endian endian)
    {
        var bytes = new byte[StreamFraming.LengthPrefixSize];
        Write(bytes, length, endian);
        return bytes;
    }

    private static void Write(Span<byte> destination, uint value, Endian endian)
    {
        if (endian == Endian.Big)
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
    }
}
