using System.Buffers;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>Builds a multi-segment ReadOnlySequence, as a pipe hands over bytes that arrived in several reads.</summary>
internal static class ChunkedSequence
{
    /// <summary>Splits <paramref name="data"/> at <paramref name="cuts"/> (ascending offsets) into separate segments.</summary>
    public static ReadOnlySequence<byte> Create(byte[] data, params int[] cuts)
    {
        var start = 0;
        Segment? first = null;
        Segment? last = null;
        foreach (var end in cuts.Append(data.Length))
        {
            // Each segment gets its own array, so nothing can read across a cut by accident.
            var segment = new Segment(data.AsSpan(start, end - start).ToArray(), start);
            if (last is null)
                first = segment;
            else
                last.Link(segment);
            last = segment;
            start = end;
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
