using System.Buffers;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Wire;

/// <summary>Frame parsing does not depend on where the bytes are split into segments, nor on how many have arrived.</summary>
public class FramingSplitTests
{
    public static IEnumerable<TestCaseData> ValidVectors() =>
        WireVectors.Valid.Select(v => new TestCaseData(v).SetArgDisplayNames(v.Name));

    /// <summary>Runs of two and three consecutive valid vectors of the same byte order.</summary>
    public static IEnumerable<TestCaseData> ConcatenatedRuns()
    {
        foreach (var group in WireVectors.Valid.GroupBy(v => v.Endian))
        {
            var vectors = group.ToArray();
            for (var count = 2; count <= 3; count++)
            {
                for (var start = 0; start + count <= vectors.Length; start++)
                {
                    var run = vectors[start..(start + count)];
                    yield return new TestCaseData(group.Key, run)
                        .SetArgDisplayNames($"{group.Key}: {string.Join(" + ", run.Select(v => v.Name))}");
                }
            }

            if (vectors.Length > 3)
            {
                yield return new TestCaseData(group.Key, vectors)
                    .SetArgDisplayNames($"{group.Key}: all {vectors.Length} vectors");
            }
        }
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void TwoSegmentsSplitAtEveryPosition(ValidVector vector)
    {
        for (var split = 0; split <= vector.Framed.Length; split++)
            AssertReadsVector(Sequences.Split(vector.Framed, split), vector, $"split at {split}");
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void ThreeSegmentsSplitAtEveryPairOfPositions(ValidVector vector)
    {
        for (var first = 0; first <= vector.Framed.Length; first++)
        {
            for (var second = first; second <= vector.Framed.Length; second++)
                AssertReadsVector(Sequences.Split(vector.Framed, first, second), vector, $"split at {first} and {second}");
        }
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void OneSegmentPerByte(ValidVector vector)
    {
        var buffer = Sequences.FromSegments(vector.Framed.Select(b => new[] { b }).ToArray());
        AssertReadsVector(buffer, vector, "one byte per segment");
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void EveryStrictPrefixReturnsFalseAndLeavesTheBufferUnchanged(ValidVector vector)
    {
        for (var length = 0; length < vector.Framed.Length; length++)
        {
            var prefix = vector.Framed[..length];
            AssertIncomplete(new ReadOnlySequence<byte>(prefix), vector.Endian, $"prefix of {length} bytes");
            for (var split = 0; split <= length; split++)
                AssertIncomplete(Sequences.Split(prefix, split), vector.Endian, $"prefix of {length} bytes split at {split}");
        }
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void AFrameFollowedByPartOfTheNextLeavesThePartInTheBuffer(ValidVector vector)
    {
        for (var extra = 0; extra < vector.Framed.Length; extra++)
        {
            var data = vector.Framed.Concat(vector.Framed[..extra]).ToArray();
            var buffer = new ReadOnlySequence<byte>(data);
            var frames = FrameReading.ReadAll(ref buffer, vector.Endian);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(frames, Has.Count.EqualTo(1), $"{extra} bytes of the next frame");
                Assert.That(buffer.ToArray(), Is.EqualTo(vector.Framed[..extra]), $"{extra} bytes of the next frame");
            }
        }
    }

    [TestCaseSource(nameof(ConcatenatedRuns))]
    public void ConcatenatedFramesParseInOrder(Endian endian, ValidVector[] run)
    {
        var data = run.SelectMany(v => v.Framed).ToArray();
        AssertReadsRun(new ReadOnlySequence<byte>(data), endian, run, "one segment");
    }

    [TestCaseSource(nameof(ConcatenatedRuns))]
    public void ConcatenatedFramesParseInOrderAtEverySplit(Endian endian, ValidVector[] run)
    {
        var data = run.SelectMany(v => v.Framed).ToArray();
        for (var split = 0; split <= data.Length; split++)
            AssertReadsRun(Sequences.Split(data, split), endian, run, $"split at {split}");
    }

    [TestCaseSource(nameof(ConcatenatedRuns))]
    public void ConcatenatedFramesSplitAtTheirBoundaries(Endian endian, ValidVector[] run)
    {
        var buffer = Sequences.FromSegments(run.Select(v => v.Framed).ToArray());
        AssertReadsRun(buffer, endian, run, "one segment per frame");
    }

    [TestCaseSource(nameof(ValidVectors))]
    public void TheBodyIsASliceOfTheBufferNotACopy(ValidVector vector)
    {
        if (vector.Body.Length == 0)
        {
            var empty = new ReadOnlySequence<byte>(vector.Framed);
            Assert.That(StreamFraming.TryReadFrame(ref empty, vector.Endian, FrameReading.DefaultMaxBody, out _, out var none), Is.True);
            Assert.That(none.IsEmpty, Is.True);
            return;
        }

        var data = vector.Framed.ToArray();
        var buffer = new ReadOnlySequence<byte>(data);
        Assert.That(StreamFraming.TryReadFrame(ref buffer, vector.Endian, FrameReading.DefaultMaxBody, out _, out var body), Is.True);
        data[StreamFraming.PrefixAndHeaderSize] ^= 0xFF;
        Assert.That(body.FirstSpan[0], Is.EqualTo(vector.Body[0] ^ 0xFF));
    }

    private static void AssertReadsVector(ReadOnlySequence<byte> buffer, ValidVector vector, string what)
    {
        var read = StreamFraming.TryReadFrame(ref buffer, vector.Endian, FrameReading.DefaultMaxBody, out var header, out var body);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.True, what);
            Assert.That(header, Is.EqualTo(vector.Header), what);
            Assert.That(body.ToArray(), Is.EqualTo(vector.Body), what);
            Assert.That(buffer.Length, Is.Zero, what);
        }
    }

    private static void AssertIncomplete(ReadOnlySequence<byte> buffer, Endian endian, string what)
    {
        var original = buffer;
        var read = StreamFraming.TryReadFrame(ref buffer, endian, FrameReading.DefaultMaxBody, out var header, out var body);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.False, what);
            Assert.That(buffer.Start, Is.EqualTo(original.Start), what);
            Assert.That(buffer.End, Is.EqualTo(original.End), what);
            Assert.That(buffer.Length, Is.EqualTo(original.Length), what);
            Assert.That(header, Is.EqualTo(default(MessageHeader)), what);
            Assert.That(body.Length, Is.Zero, what);
        }
    }

    private static void AssertReadsRun(ReadOnlySequence<byte> buffer, Endian endian, ValidVector[] run, string what)
    {
        var frames = FrameReading.ReadAll(ref buffer, endian);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(buffer.Length, Is.Zero, what);
            Assert.That(frames.Select(f => f.Header), Is.EqualTo(run.Select(v => v.Header)), what);
            Assert.That(frames.Select(f => f.Body), Is.EqualTo(run.Select(v => v.Body)), what);
        }
    }
}
