/// <summary>
/// The sweep: every scenario family of the issue, one run after the other in this process, each family with its floors
/// measured in the same sweep. Request counts are sized per family so the default sweep stays within a few minutes on a
/// 2-core machine; --quick divides them for a check that everything runs.
/// </summary>
internal static class Sweep
{
    /// <summary>The echo lines of the chart.</summary>
    public static readonly string[] ChartScenarios = ["tcp", "tcp-pipelined", "typed-tcp", "floor-tcp", "grpc-unary", "grpc-stream"];

    /// <summary>The sweep's request count; each family takes its share of it (see <see cref="Families"/>).</summary>
    public const int DefaultRequests = 400_000;

    private const int Small = 64;

    /// <summary>One family: its scenarios at each in-flight count and body size; <c>Requests</c> sizes a run from the sweep's count.</summary>
    private sealed record Family(
        string Name, string[] Scenarios, int[] InFlight, int[] Bodies, int Connections, Func<int, int, int, int> Requests, bool TwoProcess = false);

    private static readonly Family[] Families =
    [
        new("echo",
            ["tcp", "tcp-pipelined", "typed-tcp", "floor-tcp", "grpc-unary", "grpc-stream",
             "unix-stream", "unix-stream-pipelined", "typed-unix-stream", "floor-unix-stream", "unix-seqpacket", "floor-unix-seqpacket"],
            [1, 16, 64, 1024], [Small], 1,
            // One request in flight is latency-bound: fewer requests keep it short.
            (requests, inFlight, _) => inFlight == 1 ? requests / 10 : requests / 2),
        new("connections", ["tcp", "tcp-pipelined", "typed-tcp", "floor-tcp", "unix-stream", "floor-unix-stream"], [16], [Small], 64,
            (requests, _, _) => requests),
        new("updates", ["tcp-updates", "floor-tcp-updates", "unix-stream-updates", "floor-unix-stream-updates"], [1, 16, 64], [Small], 1,
            (requests, inFlight, _) => inFlight == 1 ? requests / 20 : requests / 4),
        new("one-way", ["tcp-oneway", "floor-tcp-oneway", "unix-stream-oneway", "floor-unix-stream-oneway"], [1], [Small], 1,
            (requests, _, _) => requests * 5),
        new("two processes", ["tcp", "typed-tcp", "floor-tcp", "unix-stream", "typed-unix-stream", "floor-unix-stream"], [1, 64], [Small], 1,
            (requests, inFlight, _) => inFlight == 1 ? requests / 10 : requests / 2, TwoProcess: true),
        // Last: its rented 1 MiB arrays stay in the shared pool afterwards, and the families after it measured lower.
        new("large bodies", ["tcp", "floor-tcp", "unix-stream", "floor-unix-stream", "grpc-unary", "grpc-stream"], [4, 16], [64 * 1024, 1024 * 1024], 1,
            // Sized by bytes: at the default count, about 650 MB echoed per 64 KiB row and 1 GB per 1 MiB row.
            (requests, _, body) => body > 64 * 1024 ? requests / 200 : requests / 20),
    ];

    public static async Task<IReadOnlyList<LoadResult>> RunAsync(int requests, bool quick, TextWriter log)
    {
        var results = new List<LoadResult>();
        foreach (var family in Families)
        {
            foreach (var body in family.Bodies)
            {
                foreach (var inFlight in family.InFlight)
                {
                    var count = Math.Max(family.Connections * 4, family.Requests(requests, inFlight, body) / (quick ? 10 : 1));
                    foreach (var scenario in family.Scenarios)
                    {
                        GC.Collect();
                        GC.WaitForPendingFinalizers();
                        var name = ScenarioName.Parse(scenario);
                        var spec = new LoadSpec(name.Mode, inFlight, count, body, family.Connections);
                        var result = await Scenarios.RunAsync(scenario, spec, family.TwoProcess) with { Family = family.Name };
                        log.WriteLine(result);
                        results.Add(result);
                    }
                }
            }
        }

        return results;
    }

    /// <summary>
    /// The check CI runs: every scenario of every family once (its first in-flight count and body size), with a handful
    /// of requests. A scenario passes when its run completes, which means every request came back; time is never judged.
    /// A hung run fails on its own time limit.
    /// </summary>
    /// <returns>The number of scenarios that failed.</returns>
    public static async Task<int> SmokeAsync(TextWriter log)
    {
        var (passed, failed) = (0, 0);
        foreach (var family in Families)
        {
            var (inFlight, body) = (family.InFlight[0], family.Bodies[0]);
            var count = Math.Max(family.Connections * 4, 64);
            foreach (var scenario in family.Scenarios)
            {
                var name = ScenarioName.Parse(scenario);
                var spec = new LoadSpec(name.Mode, inFlight, count, body, family.Connections);
                try
                {
                    await Scenarios.RunAsync(scenario, spec, family.TwoProcess);
                    passed++;
                    log.WriteLine($"ok   {family.Name}: {scenario}, {inFlight} in flight, {count} requests");
                }
                catch (Exception error)
                {
                    failed++;
                    log.WriteLine($"FAIL {family.Name}: {scenario}, {inFlight} in flight: {error}");
                }
            }
        }

        log.WriteLine($"{passed} passed, {failed} failed");
        return failed;
    }
}
