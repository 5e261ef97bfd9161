using System.Diagnostics;

/// <summary>
/// Measures one run in this process: wall time, allocated bytes and CPU time. Server and client share the process, so the
/// numbers count both sides
/// (a server in a child process reports its own cost: <see cref="LoadResult.WithServerCost"/>).
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
    /// <remarks><paramref name="requests"/> counts what the run did (a one-way run's latencies are those the server measured).</remarks>
    public LoadResult Stop(string scenario, int inFlight, int bodySize, long[] latencies, int? requests = null)
    {
        _elapsed.Stop();
        var cpuAfter = Environment.CpuUsage;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocatedBefore;
        var count = requests ?? latencies.Length;
        Array.Sort(latencies);
        return new LoadResult(
            scenario,
            inFlight,
            bodySize,
            count,
            count / _elapsed.Elapsed.TotalSeconds,
            latencies,
            (double)allocated / count,
            (cpuAfter.TotalTime - _cpuBefore.TotalTime).TotalMicroseconds / count,
            (cpuAfter.PrivilegedTime - _cpuBefore.PrivilegedTime).TotalMicroseconds / count);
    }
}
