using System.Globalization;
using System.Text;

/// <summary>
/// The sweep: every scenario at 1, 16, 64 and 1024 requests in flight with 64-byte bodies, one after the other in this
/// process, printed as a Markdown table with each scenario's ratio to its floor, and drawn as an SVG chart.
/// </summary>
internal static class Sweep
{
    public static readonly int[] InFlightCounts = [1, 16, 64, 1024];

    public static readonly string[] ScenarioNames = ["tcp", "floor-tcp", "grpc-unary", "grpc-stream", "unix-stream", "floor-unix-stream"];

    private const int BodySize = 64;

    public static async Task<IReadOnlyList<LoadResult>> RunAsync(int requests, TextWriter log)
    {
        var results = new List<LoadResult>();
        foreach (var inFlight in InFlightCounts)
        {
            // One request in flight is latency-bound: fewer requests keep the sweep short.
            var count = inFlight == 1 ? Math.Max(1_000, requests / 10) : requests;
            foreach (var scenario in ScenarioNames)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var result = await Scenarios.RunAsync(scenario, inFlight, count, BodySize);
                log.WriteLine(result);
                results.Add(result);
            }
        }

        return results;
    }

    public static string Table(IReadOnlyList<LoadResult> results)
    {
        var table = new StringBuilder();
        table.AppendLine("| Scenario | In flight | Requests/s | × floor | p50 µs | p50 × floor | p99 µs | B allocated / request | CPU µs / request |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var result in results.OrderBy(r => Array.IndexOf(ScenarioNames, r.Scenario)).ThenBy(r => r.InFlight))
        {
            var floor = results.First(r => r.Scenario == Scenarios.FloorOf(result.Scenario) && r.InFlight == result.InFlight);
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {result.Scenario} | {result.InFlight} | {result.RequestsPerSecond:N0} | {result.RequestsPerSecond / floor.RequestsPerSecond:F2} | " +
                $"{result.Micros(0.5):F1} | {result.Micros(0.5) / floor.Micros(0.5):F2} | {result.Micros(0.99):F1} | " +
                $"{result.AllocatedPerRequest:F0} | {result.CpuMicrosPerRequest:F2} |"));
        }

        return table.ToString();
    }
}
