using System.Buffers;

namespace FizyrRpc.Tests.TestSupport;

/// <summary>A segment of a hand-built <see cref="ReadOnlySequence{T}"/>.</summary>
public sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory, TestSegment? previous)
    {
        Memory = memory;
        if (previous is not null)
        {
            RunningIndex = previous.RunningIndex + previous.Memory.Length;
            previous.Next = this;
        }
    }
}

/// <summary>Builds multi-segment sequences, to exercise parsing across segment boundaries.</summary>
public static class Sequences
{
    /// <summary>
    /// A sequence over <paramref name="data"/> split at <paramref name="splitPoints"/> (ascending, 0 to data.Length; a
    /// point at either end or a repeated point gives an empty segment). Each segment is a copy in its own array.
    /// </summary>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> data, params int[] splitPoints)
    {
        var bounds = new List<int> { 0 };
        foreach (var point in splitPoints)
        {
            if (point < bounds[^1] || point > data.Length)
                throw new ArgumentOutOfRangeException(nameof(splitPoints), point, "Split points must ascend within the data.");
            bounds.Add(point);
        }

        bounds.Add(data.Length);
        TestSegment? first = null;
        TestSegment? last = null;
        for (var i = 0; i + 1 < bounds.Count; i++)
        {
            last = new TestSegment(data[bounds[i]..bounds[i + 1]].ToArray(), last);
            first ??= last;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>A sequence of one segment per part, each a copy in its own array.</summary>
    public static ReadOnlySequence<byte> FromSegments(params byte[][] parts)
    {
        if (parts.Length == 0)
            return ReadOnlySequence<byte>.Empty;
        TestSegment? first = null;
        TestSegment? last = null;
        foreach (var part in parts)
        {
            last = new TestSegment(part.ToArray(), last);
            first ??= last;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }
}
