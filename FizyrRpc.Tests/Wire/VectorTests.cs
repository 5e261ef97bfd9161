using System.Buffers;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Wire;

/// <summary>Every valid vector of the shared vector file, through the header codec and the stream framing.</summary>
public class VectorTests
{
    public static IEnumerable<TestCaseData> ValidVectors() =>
        WireVectors.Valid.Select(v => new TestCaseData(v).SetArgDisplayNames(v.Name));

    [Test]
    public void TheVectorFileHoldsVectors()
    {
        Assert.That(WireVectors.Valid, Has.Count.GreaterThanOrEqualTo(12));
        Assert.That(WireVectors.Valid.Select(v => v.Endian), Does.Contain(Endian.Big).And.Contain(Endian.Little));
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void VectorIsSelfConsistent(ValidVector vector)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(vector.Framed, Has.Length.EqualTo(StreamFraming.LengthPrefixSize + vector.Datagram.Length));
            Assert.That(vector.Framed[StreamFraming.LengthPrefixSize..], Is.EqualTo(vector.Datagram));
            Assert.That(vector.Datagram[MessageHeader.Size..], Is.EqualTo(vector.Body));
        }
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void EncodeGivesTheHeaderBytes(ValidVector vector)
    {
        var bytes = new byte[MessageHeader.Size];
        vector.Header.Encode(bytes, vector.Endian);
        Assert.That(bytes, Is.EqualTo(vector.HeaderBytes));
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void DecodeOfTheDatagramGivesTheHeader(ValidVector vector)
    {
        var header = MessageHeader.Decode(vector.Datagram.AsSpan(0, MessageHeader.Size), vector.Endian);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((uint)header.MessageType, Is.EqualTo(vector.Type));
            Assert.That(header.RequestId, Is.EqualTo(vector.RequestId));
            Assert.That(header.ServiceId, Is.EqualTo(vector.ServiceId));
        }
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void DecodeReadsOnlyTheFirstTwelveBytes(ValidVector vector)
    {
        var header = MessageHeader.Decode(vector.Datagram, vector.Endian);
        Assert.That(header, Is.EqualTo(vector.Header));
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void WriteFrameGivesTheFramedBytes(ValidVector vector)
    {
        var writer = new ArrayBufferWriter<byte>();
        StreamFraming.WriteFrame(writer, vector.Header, vector.Body, vector.Endian);
        Assert.That(writer.WrittenSpan.ToArray(), Is.EqualTo(vector.Framed));
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void WritePrefixAndHeaderGivesTheFirstSixteenBytes(ValidVector vector)
    {
        var bytes = new byte[StreamFraming.PrefixAndHeaderSize];
        StreamFraming.WritePrefixAndHeader(bytes, vector.Header, vector.Body.Length, vector.Endian);
        Assert.That(bytes, Is.EqualTo(vector.Framed[..StreamFraming.PrefixAndHeaderSize]));
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void GetFrameLengthMatchesTheFrame(ValidVector vector) =>
        Assert.That(StreamFraming.GetFrameLength(vector.Body.Length), Is.EqualTo(vector.Framed.Length));

    [TestCaseSource(nameof(ValidVectors))]
    public void TryReadFrameGivesTheHeaderAndBodyAndEmptiesTheBuffer(ValidVector vector)
    {
        var buffer = new ReadOnlySequence<byte>(vector.Framed);
        var read = StreamFraming.TryReadFrame(ref buffer, vector.Endian, FrameReading.DefaultMaxBody, out var header, out var body);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.True);
            Assert.That(header, Is.EqualTo(vector.Header));
            Assert.That(body.ToArray(), Is.EqualTo(vector.Body));
            Assert.That(buffer.Length, Is.Zero);
            Assert.That(buffer.IsEmpty, Is.True);
        }
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void TryReadFrameAcceptsABodyExactlyAtTheLimit(ValidVector vector)
    {
        var buffer = new ReadOnlySequence<byte>(vector.Framed);
        var read = StreamFraming.TryReadFrame(ref buffer, vector.Endian, vector.Body.Length, out var header, out var body);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.True);
            Assert.That(header, Is.EqualTo(vector.Header));
            Assert.That(body.ToArray(), Is.EqualTo(vector.Body));
        }
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void WrittenFrameReadsBack(ValidVector vector)
    {
        var writer = new ArrayBufferWriter<byte>();
        StreamFraming.WriteFrame(writer, vector.Header, vector.Body, vector.Endian);
        var frames = FrameReading.ReadAll(writer.WrittenSpan.ToArray(), vector.Endian);
        Assert.That(frames, Has.Count.EqualTo(1));
        Assert.That(frames[0].Header, Is.EqualTo(vector.Header));
        Assert.That(frames[0].Body, Is.EqualTo(vector.Body));
    }
}
