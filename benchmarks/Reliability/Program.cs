using FizyrRpc.Benchmarks.Reliability;

// The reliability suite (docs/RELIABILITY.md):
//   dotnet run -c Release --project benchmarks/Reliability -- [full|short] [--only S,...] [--enable ID,...] [--disable ID,...] [--slow-wait SECONDS]
// full (the default): the issue's sizes, every invariant judged. short (CI): smaller attacks, and the invariants that
// wait on the engine's fixes (Invariants.PendingOnEngine) are reported but not judged. IDs are "scenario:check", a
// scenario name (all its checks) or a check name (that check in every scenario). Ends with "N passed, M failed".
if (args is [ServeMode.Command, .. var serveArgs])
    return await ServeMode.RunAsync(serveArgs);

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

string[] List(string name) => Option(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];

var mode = args.FirstOrDefault(a => a is "full" or "short") ?? "full";
var full = mode == "full";
if (Option("--slow-wait") is { } slowWait)
    SlowHeaders.FullWait = TimeSpan.FromSeconds(double.Parse(slowWait, System.Globalization.CultureInfo.InvariantCulture));
var only = List("--only");
var unknown = only.Where(name => Scenarios.All.All(s => s.Name != name)).ToList();
if (unknown.Count > 0 || args.Any(a => a.StartsWith('-') && a is not ("--only" or "--enable" or "--disable" or "--slow-wait")))
{
    Console.Error.WriteLine($"usage: Reliability [full|short] [--only {string.Join(',', Scenarios.All.Select(s => s.Name))}] [--enable ID,...] [--disable ID,...] [--slow-wait SECONDS]");
    return 2;
}

var judged = new Invariants(full, List("--enable"), List("--disable"));
Console.WriteLine($"reliability suite, {mode} mode: each scenario against its own server process (the conformance sample's server)");
var results = new List<ScenarioResult>();
foreach (var scenario in Scenarios.All.Where(s => only.Length == 0 || only.Contains(s.Name)))
{
    Console.WriteLine($"== {scenario.Name}: {scenario.Describe(full)}");
    results.Add(await Runner.RunAsync(scenario, full, Console.Out));
}

Console.WriteLine();
Report.Table(Console.Out, results);
Console.WriteLine();
int passed = 0, failed = 0;
foreach (var verdict in results.SelectMany(r => r.Verdicts))
{
    if (!judged.IsJudged(verdict.Id))
    {
        Console.WriteLine($"{(verdict.Held ? "holds" : "BROKEN")} (pending, not judged in this mode) {verdict.Id}: {verdict.Figure}");
        continue;
    }

    Console.WriteLine($"{(verdict.Held ? "PASS" : "FAIL")} {verdict.Id}: {verdict.Figure}");
    if (verdict.Held)
        passed++;
    else
        failed++;
}

Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 && passed > 0 ? 0 : 1;
