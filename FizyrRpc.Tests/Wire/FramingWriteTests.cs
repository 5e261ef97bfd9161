using System.Buffers;

namespace FizyrRpc.Tests.Wire;

/// <summary>Writing frames: <see cref="StreamFraming.WritePrefixAndHeader"/> and <see cref="StreamFraming.WriteFrame"/>.</summary>
public class FramingWriteTests
{
    private const long LargestBody = uint.MaxValue - MessageHeader.Size;

    [TestCase(-1L)]
    [TestCase(long.MinValue)]
    [TestCase(LargestBody + 1)]
    [TestCase((long)uint.MaxValue)]
    [TestCase(long.MaxValue)]
    public void ABodyLengthThatDoesNotFitIsRefusedAndNothingIsWritten(long bodyLength)
    {
        var bytes = Enumerable.Repeat((byte)0xAA, StreamFraming.PrefixAndHeaderSize).ToArray();
        var exception = Assert.Throws<ArgumentOutOfRangeException>(
            () => StreamFraming.WritePrefixAndHeader(bytes, MessageHeader.Request(1, 1), bodyLength, Endian.Little))!;
        Assert.That(exception.ParamName, Is.EqualTo("bodyLength"));
        Assert.That(bytes, Is.All.EqualTo((byte)0xAA));
    }

    [TestCase(0L, new byte[] { 0x0C, 0x00, 0x00, 0x00 })]
    [TestCase(1L, new byte[] { 0x0D, 0x00, 0x00, 0x00 })]
    [TestCase(8192L, new byte[] { 0x0C, 0x20, 0x00, 0x00 })]
    [TestCase(LargestBody, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF })]
    public void TheLengthFieldCountsHeaderAndBody(long bodyLength, byte[] expectedPrefix)
    {
        var bytes = new byte[StreamFraming.PrefixAndHeaderSize];
        StreamFraming.WritePrefixAndHeader(bytes, MessageHeader.Request(1, 1), bodyLength, Endian.Little);
        Assert.That(bytes[..4], Is.EqualTo(expectedPrefix));
    }

    [Test]
    public void ADestinationShorterThanSixteenBytesIsRefused()
    {
        var bytes = new byte[StreamFraming.PrefixAndHeaderSize - 1];
        Assert.That(
            () => StreamFraming.WritePrefixAndHeader(bytes, MessageHeader.Request(1, 1), 0, Endian.Little),
            Throws.ArgumentException);
    }

    [Test]
    public void WritePrefixAndHeaderTouchesOnlySixteenBytes()
    {
        var bytes = Enumerable.Repeat((byte)0xAA, 20).ToArray();
        StreamFraming.WritePrefixAndHeader(bytes, MessageHeader.Request(1, 1), 4, Endian.Little);
        Assert.That(bytes[16..], Is.All.EqualTo((byte)0xAA));
    }

    [Test]
    public void WriteFrameRefusesANullWriter() =>
        Assert.That(
            () => StreamFraming.WriteFrame(null!, MessageHeader.Request(1, 1), [], Endian.Little),
            Throws.ArgumentNullException);

    [Test]
    public void WriteFrameAppendsToWhatIsAlreadyWritten()
    {
        var writer = new ArrayBufferWriter<byte>();
        writer.Write(new byte[] { 1, 2, 3 });
        StreamFraming.WriteFrame(writer, MessageHeader.Stream(3), "tick"u8, Endian.Little);
        Assert.That(
            writer.WrittenSpan.ToArray(),
            Is.EqualTo(Convert.FromHexString("010203" + "100000000400000000000000030000007469636b")));
    }

    [Test]
    public void WriteFrameWritesAFrameLargerThanTheWritersFirstBuffer()
    {
        var body = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        var writer = new ArrayBufferWriter<byte>(1);
        StreamFraming.WriteFrame(writer, MessageHeader.Request(7, 8), body, Endian.Big);
        var frames = FrameReading.ReadAll(writer.WrittenSpan.ToArray(), Endian.Big, maxBodyLength: body.Length);
        Assert.That(frames.Single().Header, Is.EqualTo(MessageHeader.Request(7, 8)));
        Assert.That(frames.Single().Body, Is.EqualTo(body));
    }

    [TestCase(0L, 16L)]
    [TestCase(11L, 27L)]
    [TestCase(LargestBody, (long)uint.MaxValue + 4)]
    public void GetFrameLength(long bodyLength, long frameLength) =>
        Assert.That(StreamFraming.GetFrameLength(bodyLength), Is.EqualTo(frameLength));

    [Test]
    public void TheSizeConstants()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(StreamFraming.LengthPrefixSize, Is.EqualTo(4));
            Assert.That(StreamFraming.PrefixAndHeaderSize, Is.EqualTo(16));
            Assert.That(MessageHeader.Size, Is.EqualTo(12));
        }
    }
}
