using System.Numerics;

namespace FizyrRpc.Cli.Bench;

/// <summary>
/// Latencies in nanoseconds, counted in log-linear buckets (exact below 256 ns, then 128 buckets per power of two, so
/// a percentile is within 0.8% of the true value) in fixed memory whatever the number of requests. One per worker; they
/// are merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Linear = 256;
    private const int SubBuckets = 128;
    private const int MaxShift = 56;
    private readonly long[] _counts = new long[Linear + MaxShift * SubBuckets];

    /// <summary>How many values were recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The largest value recorded.</summary>
    public long Max { get; private set; }

    /// <summary>Records one latency.</summary>
    public void Record(long nanoseconds)
    {
        nanoseconds = Math.Max(0, nanoseconds);
        _counts[IndexOf(nanoseconds)]++;
        Count++;
        Max = Math.Max(Max, nanoseconds);
    }

    /// <summary>Adds another histogram's counts to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value below which <paramref name="fraction"/> of the recorded values lie (0 when none were recorded).</summary>
    public long Percentile(double fraction)
    {
        if (Count == 0)
            return 0;
        var target = Math.Max(1, (long)Math.Ceiling(fraction * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target)
                return Math.Min(ValueOf(i), Max);
        }

        return Max;
    }

    private static int IndexOf(long value)
    {
        if (value < Linear)
            return (int)value;
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - 7;
        return Linear + (shift - 1) * SubBuckets + (int)((value >> shift) - SubBuckets);
    }

    /// <summary>The middle of bucket <paramref name="index"/>.</summary>
    private static long ValueOf(int index)
    {
        if (index < Linear)
            return index;
        var shift = (index - Linear) / SubBuckets + 1;
        var mantissa = (long)((index - Linear) % SubBuckets + SubBuckets);
        return (mantissa << shift) + (1L << shift) / 2;
    }
}
