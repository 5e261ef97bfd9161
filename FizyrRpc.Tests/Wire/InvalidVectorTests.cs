using System.Buffers;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Wire;

/// <summary>
/// The invalid vectors of the shared vector file, as far as the wire layer is concerned: framing errors are detected
/// as early as the bytes allow, a truncated frame is incomplete, and the peer-level ones are well-formed frames.
/// </summary>
public class InvalidVectorTests
{
    private const long MaxBody = FrameReading.DefaultMaxBody;

    /// <summary>The framing errors: the error expected and how many leading bytes are enough to detect it.</summary>
    private static readonly Dictionary<string, (ProtocolError Error, int DetectedAt)> FramingErrors = new()
    {
        ["length below header size"] = (ProtocolError.MessageTooShort, 4),
        ["length zero"] = (ProtocolError.MessageTooShort, 4),
        ["invalid message type 5"] = (ProtocolError.InvalidMessageType, 8),
        ["invalid message type 0xFFFFFFFF"] = (ProtocolError.InvalidMessageType, 8),
        ["body over the read limit"] = (ProtocolError.PayloadTooLarge, 4),
    };

    /// <summary>Frames cut short by the end of the stream: the framing can only say "not yet".</summary>
    private static readonly HashSet<string> Truncated = ["truncated frame then EOF"];

    /// <summary>Errors the peer detects (routing by request ID): the frames themselves are well-formed.</summary>
    private static readonly Dictionary<string, MessageHeader[]> PeerLevel = new()
    {
        ["response for unknown request id"] = [MessageHeader.Response(999, 0)],
        ["update for unknown request id"] = [MessageHeader.ResponderUpdate(999, 0)],
        ["duplicate open request id"] = [MessageHeader.Request(5, 1), MessageHeader.Request(5, 1)],
    };

    /// <summary>The seqpacket vectors, for the header codec: what <see cref="MessageHeader.Decode"/> makes of the datagram.</summary>
    private static readonly Dictionary<string, Type> SeqpacketDecodeErrors = new()
    {
        ["datagram shorter than the header"] = typeof(ArgumentException),
        ["zero-byte datagram"] = typeof(ArgumentException),
        ["invalid message type"] = typeof(RpcProtocolException),
    };

    public static IEnumerable<TestCaseData> FramingErrorVectors() =>
        WireVectors.Invalid
            .Where(v => FramingErrors.ContainsKey(v.Name))
            .Select(v => new TestCaseData(v, FramingErrors[v.Name].Error, FramingErrors[v.Name].DetectedAt).SetArgDisplayNames(v.Name));

    public static IEnumerable<TestCaseData> TruncatedVectors() =>
        WireVectors.Invalid.Where(v => Truncated.Contains(v.Name)).Select(v => new TestCaseData(v).SetArgDisplayNames(v.Name));

    public static IEnumerable<TestCaseData> PeerLevelVectors() =>
        WireVectors.Invalid
            .Where(v => PeerLevel.ContainsKey(v.Name))
            .Select(v => new TestCaseData(v, PeerLevel[v.Name]).SetArgDisplayNames(v.Name));

    public static IEnumerable<TestCaseData> SequenceVectors() =>
        WireVectors.Sequences.Select(s => new TestCaseData(s).SetArgDisplayNames(s.Name));

    public static IEnumerable<TestCaseData> SeqpacketVectors() =>
        WireVectors.SeqpacketInvalid
            .Where(v => SeqpacketDecodeErrors.ContainsKey(v.Name))
            .Select(v => new TestCaseData(v, SeqpacketDecodeErrors[v.Name]).SetArgDisplayNames(v.Name));

    [Test]
    public void EveryInvalidVectorIsClassified()
    {
        var classified = FramingErrors.Keys.Concat(Truncated).Concat(PeerLevel.Keys).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(WireVectors.Invalid.Select(v => v.Name), Is.EquivalentTo(classified));
            Assert.That(WireVectors.SeqpacketInvalid.Select(v => v.Name), Is.EquivalentTo(SeqpacketDecodeErrors.Keys));
            Assert.That(WireVectors.Sequences, Is.Not.Empty);
        }
    }

    [TestCaseSource(nameof(FramingErrorVectors))]
    public void TheWholeFrameIsAFatalProtocolError(InvalidVector vector, ProtocolError error, int detectedAt)
    {
        var buffer = new ReadOnlySequence<byte>(vector.Framed);
        var original = buffer;
        var exception = Assert.Throws<RpcProtocolException>(
            () => StreamFraming.TryReadFrame(ref buffer, Endian.Little, MaxBody, out _, out _))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Error, Is.EqualTo(error));
            Assert.That(exception.IsFatal, Is.True);
            Assert.That(exception.RequestId, Is.Null);
            Assert.That(exception, Is.InstanceOf<RpcException>());
            Assert.That(buffer.Length, Is.EqualTo(original.Length), "the buffer was advanced by a failed read");
        }
    }

    [TestCaseSource(nameof(FramingErrorVectors))]
    public void TheErrorIsDetectedAsSoonAsItsBytesArrive(InvalidVector vector, ProtocolError error, int detectedAt)
    {
        Assert.That(vector.Framed.Length, Is.GreaterThanOrEqualTo(detectedAt), "the vector is shorter than the bytes needed");
        for (var length = detectedAt; length <= vector.Framed.Length; length++)
        {
            var exception = ReadExpectingError(new ReadOnlySequence<byte>(vector.Framed[..length]));
            Assert.That(exception?.Error, Is.EqualTo(error), $"with {length} bytes");
            Assert.That(exception?.IsFatal, Is.True, $"with {length} bytes");
        }
    }

    [TestCaseSource(nameof(FramingErrorVectors))]
    public void TheErrorIsDetectedWithOnlyTheNeededBytes(InvalidVector vector, ProtocolError error, int detectedAt)
    {
        // Exactly the length field (4 bytes) or the length field and the type (8 bytes), and nothing more.
        var bytes = vector.Framed[..detectedAt];
        var buffer = new ReadOnlySequence<byte>(bytes);
        var exception = Assert.Throws<RpcProtocolException>(
            () => StreamFraming.TryReadFrame(ref buffer, Endian.Little, MaxBody, out _, out _))!;
        Assert.That(exception.Error, Is.EqualTo(error));
        Assert.That(exception.IsFatal, Is.True);
    }

    [TestCaseSource(nameof(FramingErrorVectors))]
    public void TheErrorIsDetectedAcrossEverySegmentSplit(InvalidVector vector, ProtocolError error, int detectedAt)
    {
        for (var split = 0; split <= detectedAt; split++)
        {
            var exception = ReadExpectingError(Sequences.Split(vector.Framed.AsSpan(0, detectedAt), split));
            Assert.That(exception?.Error, Is.EqualTo(error), $"split at {split}");
        }
    }

    [TestCaseSource(nameof(FramingErrorVectors))]
    public void FewerBytesThanNeededAreJustIncomplete(InvalidVector vector, ProtocolError error, int detectedAt)
    {
        for (var length = 0; length < detectedAt; length++)
        {
            var buffer = new ReadOnlySequence<byte>(vector.Framed[..length]);
            var read = StreamFraming.TryReadFrame(ref buffer, Endian.Little, MaxBody, out _, out _);
            Assert.That(read, Is.False, $"with {length} bytes");
            Assert.That(buffer.Length, Is.EqualTo(length), $"with {length} bytes");
        }
    }

    [TestCaseSource(nameof(TruncatedVectors))]
    public void ATruncatedFrameIsIncomplete(InvalidVector vector)
    {
        for (var length = 0; length <= vector.Framed.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(vector.Framed[..length]);
            var read = StreamFraming.TryReadFrame(ref buffer, Endian.Little, MaxBody, out _, out var body);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(read, Is.False, $"with {length} bytes");
                Assert.That(buffer.Length, Is.EqualTo(length), $"with {length} bytes");
                Assert.That(body.Length, Is.Zero, $"with {length} bytes");
            }
        }
    }

    [TestCaseSource(nameof(TruncatedVectors))]
    public void ATruncatedFrameCompletesWhenTheRestArrives(InvalidVector vector)
    {
        // The frame only lacks bytes: once they are there it is an ordinary frame.
        var declared = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(vector.Framed);
        var missing = StreamFraming.LengthPrefixSize + declared - vector.Framed.Length;
        Assert.That(missing, Is.Positive);
        var frames = FrameReading.ReadAll(vector.Framed.Concat(new byte[missing]).ToArray(), Endian.Little);
        Assert.That(frames, Has.Count.EqualTo(1));
        Assert.That(frames[0].Body, Has.Length.EqualTo(declared - MessageHeader.Size));
    }

    [TestCaseSource(nameof(PeerLevelVectors))]
    public void APeerLevelErrorIsAWellFormedFrame(InvalidVector vector, MessageHeader[] expected)
    {
        var frames = FrameReading.ReadAll(vector.Framed, Endian.Little);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(frames.Select(f => f.Header), Is.EqualTo(expected));
            Assert.That(frames.Select(f => f.Body.Length), Is.All.Zero);
        }
    }

    [TestCaseSource(nameof(SequenceVectors))]
    public void EveryFrameQuotedByASequenceIsWellFormed(SequenceVector sequence)
    {
        Assert.That(sequence.Frames, Is.Not.Empty, "no frame found in the steps");
        foreach (var frame in sequence.Frames)
        {
            var frames = FrameReading.ReadAll(frame, Endian.Little);
            Assert.That(frames, Has.Count.EqualTo(1), Convert.ToHexString(frame));
        }
    }

    [TestCaseSource(nameof(SeqpacketVectors))]
    public void SeqpacketDatagramHeaderDecoding(SeqpacketInvalidVector vector, Type expected)
    {
        Assert.That(() => MessageHeader.Decode(vector.Datagram, Endian.Little), Throws.TypeOf(expected));
        if (expected == typeof(RpcProtocolException))
        {
            var exception = Assert.Throws<RpcProtocolException>(() => MessageHeader.Decode(vector.Datagram, Endian.Little))!;
            Assert.That(exception.Error, Is.EqualTo(ProtocolError.InvalidMessageType));
            Assert.That(exception.IsFatal, Is.True);
        }
    }

    private static RpcProtocolException? ReadExpectingError(ReadOnlySequence<byte> buffer)
    {
        try
        {
            StreamFraming.TryReadFrame(ref buffer, Endian.Little, MaxBody, out _, out _);
            return null;
        }
        catch (RpcProtocolException exception)
        {
            return exception;
        }
    }
}
