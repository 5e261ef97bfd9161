using System.Buffers;

namespace FizyrRpc.Fuzz;

/// <summary>A multi-segment sequence over a byte range, cut where a fuzzed segmentation says, each piece its own array.</summary>
internal static class ChunkedSequence
{
    /// <summary>Copies <paramref name="data"/> into segments of the lengths <paramref name="lengths"/> gives, cycling.</summary>
    public static ReadOnlySequence<byte> Create(ReadOnlySpan<byte> data, ReadOnlySpan<int> lengths)
    {
        if (data.IsEmpty)
            return ReadOnlySequence<byte>.Empty;
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        var i = 0;
        while (start < data.Length)
        {
            var length = Math.Min(Math.Max(1, lengths.IsEmpty ? data.Length : lengths[i++ % lengths.Length]), data.Length - start);
            // Its own array per piece, so a parser that reads across a cut by mistake reads the wrong bytes, not the right ones.
            var segment = new Segment(data.Slice(start, length).ToArray(), start);
            if (last is null)
                first = segment;
            else
                last.Link(segment);
            last = segment;
            start += length;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public void Link(Segment next) => Next = next;
    }
}
