using System.Buffers;
using System.Buffers.Binary;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Wire;

/// <summary>The byte order setting: little, big, and native (the machine's).</summary>
public class EndianTests
{
    private static Endian MachineOrder => BitConverter.IsLittleEndian ? Endian.Little : Endian.Big;

    public static IEnumerable<TestCaseData> ValidVectors() =>
        WireVectors.Valid.Select(v => new TestCaseData(v).SetArgDisplayNames(v.Name));

    [Test]
    public void NativeIsLittleOnALittleEndianMachine()
    {
        var header = MessageHeader.Request(0x01020304, 0x05060708);
        var native = new byte[MessageHeader.Size];
        var little = new byte[MessageHeader.Size];
        var big = new byte[MessageHeader.Size];
        header.Encode(native, Endian.Native);
        header.Encode(little, Endian.Little);
        header.Encode(big, Endian.Big);
        Assert.That(native, Is.EqualTo(BitConverter.IsLittleEndian ? little : big));
        Assert.That(native, Is.Not.EqualTo(BitConverter.IsLittleEndian ? big : little));
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void NativeEncodesAsTheMachineOrder(ValidVector vector)
    {
        var native = new byte[MessageHeader.Size];
        var machine = new byte[MessageHeader.Size];
        vector.Header.Encode(native, Endian.Native);
        vector.Header.Encode(machine, MachineOrder);
        Assert.That(native, Is.EqualTo(machine));
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void NativeFramesAsTheMachineOrder(ValidVector vector)
    {
        var native = new ArrayBufferWriter<byte>();
        var machine = new ArrayBufferWriter<byte>();
        StreamFraming.WriteFrame(native, vector.Header, vector.Body, Endian.Native);
        StreamFraming.WriteFrame(machine, vector.Header, vector.Body, MachineOrder);
        Assert.That(native.WrittenSpan.ToArray(), Is.EqualTo(machine.WrittenSpan.ToArray()));
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void NativeReadsVectorsOfTheMachineOrder(ValidVector vector)
    {
        // Re-encode the vector in the machine's order, then read it back as native.
        var framed = new ArrayBufferWriter<byte>();
        StreamFraming.WriteFrame(framed, vector.Header, vector.Body, MachineOrder);
        var frames = FrameReading.ReadAll(framed.WrittenSpan.ToArray(), Endian.Native);
        Assert.That(frames, Has.Count.EqualTo(1));
        Assert.That(frames[0].Header, Is.EqualTo(vector.Header));
        Assert.That(frames[0].Body, Is.EqualTo(vector.Body));
        Assert.That(MessageHeader.Decode(EncodeHeader(vector.Header, MachineOrder), Endian.Native), Is.EqualTo(vector.Header));
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void BigAndLittleAreByteReversedFieldByField(ValidVector vector)
    {
        var little = EncodeHeader(vector.Header, Endian.Little);
        var big = EncodeHeader(vector.Header, Endian.Big);
        for (var field = 0; field < MessageHeader.Size; field += 4)
        {
            Assert.That(
                BinaryPrimitives.ReadUInt32LittleEndian(little.AsSpan(field)),
                Is.EqualTo(BinaryPrimitives.ReadUInt32BigEndian(big.AsSpan(field))),
                $"field at offset {field}");
        }
    }

    [Test]
    public void TheLengthPrefixFollowsTheByteOrder()
    {
        var header = MessageHeader.Stream(1);
        var little = new byte[StreamFraming.PrefixAndHeaderSize];
        var big = new byte[StreamFraming.PrefixAndHeaderSize];
        StreamFraming.WritePrefixAndHeader(little, header, 0x0102, Endian.Little);
        StreamFraming.WritePrefixAndHeader(big, header, 0x0102, Endian.Big);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(little[..4], Is.EqualTo(new byte[] { 0x0E, 0x01, 0x00, 0x00 }));
            Assert.That(big[..4], Is.EqualTo(new byte[] { 0x00, 0x00, 0x01, 0x0E }));
        }
    }

    [Test]
    public void AnUndefinedEndianValueIsRejected()
    {
        var bytes = new byte[StreamFraming.PrefixAndHeaderSize];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => MessageHeader.Request(1, 1).Encode(bytes, (Endian)42), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => MessageHeader.Decode(bytes, (Endian)42), Throws.InstanceOf<ArgumentOutOfRangeException>());
        }
    }

    private static byte[] EncodeHeader(MessageHeader header, Endian endian)
    {
        var bytes = new byte[MessageHeader.Size];
        header.Encode(bytes, endian);
        return bytes;
    }
}
