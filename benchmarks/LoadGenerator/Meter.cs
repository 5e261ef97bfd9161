using System.Diagnostics;

/// <summary>
/// Measures one run in this process: wall time, allocated bytes and CPU time. Server and client share the process, so the
/// numbers count both sides.
/// </summary>
internal sealed class Meter
{
    private readonly long _allocatedBefore;
    private readonly Environment.ProcessCpuUsage _cpuBefore;
    private readonly Stopwatch _elapsed;

    private Meter()
    {
        _allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        _cpuBefore = Environment.CpuUsage;
        _elapsed = Stopwatch.StartNew();
    }

    public static Meter Start() => new();

    /// <summary>Stops the meter and makes the result; sorts <paramref name="latencies"/> in place.</summary>
    public LoadResult Stop(string scenario, int inFlight, int bodySize, long[] latencies, double? requestsPerSecond = null)
    {
        _elapsed.Stop();
        var cpuAfter = Environment.CpuUsage;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedBefore;
        var requests = latencies.Length;
        Array.Sort(latencies);
        return new LoadResult(
            scenario,
            inFlight,
            bodySize,
            requests,
            requestsPerSecond ?? requests / _elapsed.Elapsed.TotalSeconds,
            latencies,
            (double)allocated / requests,
            (cpuAfter.TotalTime - _cpuBefore.TotalTime).TotalMicroseconds / requests,
            (cpuAfter.PrivilegedTime - _cpuBefore.PrivilegedTime).TotalMicroseconds / requests);
    }
}
