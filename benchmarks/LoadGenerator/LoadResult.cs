using System.Diagnostics;
using System.Globalization;

/// <summary>One measured run: throughput, the sorted latencies (Stopwatch ticks) and what it cost the process (both sides).</summary>
internal sealed record LoadResult(
    string Scenario,
    int InFlight,
    int BodySize,
    int Requests,
    double RequestsPerSecond,
    long[] SortedLatencies,
    double AllocatedPerRequest,
    double CpuMicrosPerRequest,
    double KernelMicrosPerRequest)
{
    /// <summary>The sweep family the run belongs to (echo, connections, large bodies, updates, one-way, ...).</summary>
    public string Family { get; init; } = "echo";

    /// <summary>Connections the load was spread over.</summary>
    public int Connections { get; init; } = 1;

    /// <summary>Whether the server ran in a child process.</summary>
    public bool TwoProcess { get; init; }

    /// <summary>Adds what a server in another process spent to the per-request costs.</summary>
    public LoadResult WithServerCost(ServerCost cost) => this with
    {
        AllocatedPerRequest = AllocatedPerRequest + ((double)cost.AllocatedBytes / Requests),
        CpuMicrosPerRequest = CpuMicrosPerRequest + (cost.CpuMicros / Requests),
    };

    /// <summary>The latency at <paramref name="quantile"/> in microseconds.</summary>
    public double Micros(double quantile) => SortedLatencies.Length == 0 ? double.NaN :
        SortedLatencies[(int)Math.Min(SortedLatencies.Length - 1, quantile * SortedLatencies.Length)] * 1e6 / Stopwatch.Frequency;

    /// <summary>Body bytes echoed per second, in MB/s (10^6), one direction.</summary>
    public double MegabytesPerSecond => RequestsPerSecond * BodySize / 1e6;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Scenario}{(TwoProcess ? " (two processes)" : "")}, {InFlight} in flight x {Connections} connections, {BodySize} B bodies, {Requests} requests: {RequestsPerSecond:F0} requests/s ({MegabytesPerSecond:F1} MB/s of bodies), " +
        $"p50 {Micros(0.5):F1} us, p99 {Micros(0.99):F1} us, p999 {Micros(0.999):F1} us, " +
        $"{AllocatedPerRequest:F0} B allocated and {CpuMicrosPerRequest:F2} us CPU per request ({KernelMicrosPerRequest:F2} us in the kernel{(TwoProcess ? " in the client process; the server process's allocations and CPU time added" : "; both sides")})");
}
