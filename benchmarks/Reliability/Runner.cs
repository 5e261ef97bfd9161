using System.Diagnostics;
using System.Globalization;

namespace FizyrRpc.Benchmarks.Reliability;

/// <summary>One invariant's outcome.</summary>
/// <param name="Id">"scenario:check", what --enable and --disable name.</param>
/// <param name="Held">Whether it held.</param>
/// <param name="Figure">The measurement behind it.</param>
internal sealed record Verdict(string Id, bool Held, string Figure);

/// <summary>One scenario's figures for the table.</summary>
internal sealed record ScenarioResult(
    Scenario Scenario, bool Full, ServerReading Before, ServerReading? Held, ServerReading? After, long Canary, TimeSpan CanaryLongest,
    TimeSpan? Sigterm, int? ExitCode, IReadOnlyList<string> Notes, IReadOnlyList<Verdict> Verdicts, TimeSpan Took);

/// <summary>
/// Runs a scenario against a fresh server: start it, start the canary, read the server, attack to the held state,
/// read again, check the canary, release the attack, wait for the descriptors to come back, read again, SIGTERM.
/// </summary>
internal static class Runner
{
    public static async Task<ScenarioResult> RunAsync(Scenario scenario, bool full, TextWriter log)
    {
        var took = Stopwatch.StartNew();
        await using var server = await ServerChild.StartAsync(scenario.HeapHardLimit, scenario.FrameTimeout(full), CancellationToken.None);
        var context = new ScenarioContext(server, full);
        var canary = await Canary.StartAsync(server.EndPoint);
        ServerReading? held = null, after = null;
        bool canaryDuring = false, canaryAfter = false;
        var verdicts = new List<Verdict>();
        var before = await server.ReadAsync();
        var kindsBefore = server.DescriptorKinds();
        var grownKinds = "";
        log.WriteLine($"  {scenario.Name}: server pid {server.Pid} at {server.EndPoint}, {Mib(before.Rss)} MiB RSS, {before.Descriptors} fds");
        try
        {
            var release = await scenario.AttackAsync(context);
            await server.WaitQuietAsync(TimeSpan.FromSeconds(30));
            canaryDuring = await canary.WaitServedAsync(3);
            held = await server.ReadAsync();
            log.WriteLine($"  {scenario.Name}: held: {Mib(held.Rss)} MiB RSS, {held.Descriptors} fds, alive {server.IsAlive}");
            release();
            after = await SettleAsync(server, before.Descriptors);
            grownKinds = string.Join(", ", server.DescriptorKinds()
                .Select(kind => (kind.Key, Grown: kind.Value - kindsBefore.GetValueOrDefault(kind.Key)))
                .Where(kind => kind.Grown > 0 && !ServerChild.IsRuntimeFile(kind.Key))
                .Select(kind => $"+{kind.Grown} {kind.Key}"));
            canaryAfter = await canary.WaitServedAsync(3);
        }
        catch (Exception error)
        {
            context.Note($"the attack failed: {error.GetType().Name}: {error.Message}");
        }

        var served = canary.Served;
        var longest = canary.Longest;
        var canaryFailure = canary.Failure;
        await canary.DisposeAsync();
        var alive = server.IsAlive;
        var sigterm = await server.TerminateAsync(TimeSpan.FromSeconds(15));
        var exitCode = server.ExitCode;

        var id = scenario.Name;
        verdicts.Add(new($"{id}:alive", alive, alive ? "the server ran to the end" : $"the server died (exit {exitCode}): {server.LastErrors}"));
        verdicts.Add(new($"{id}:canary", canaryDuring && canaryAfter && canaryFailure is null,
            $"{served} round trips, longest {longest.TotalMilliseconds:F0} ms; during the attack {(canaryDuring ? "served" : "NOT served")}, after it {(canaryAfter ? "served" : "NOT served")}{(canaryFailure is null ? "" : $"; {canaryFailure}")}"));
        if (after is { Descriptors: >= 0 } && alive)
        {
            var leaked = after.Descriptors - before.Descriptors;
            verdicts.Add(new($"{id}:fds", leaked <= 0, $"{before.Descriptors} before, {held?.Descriptors} held, {after.Descriptors} after: {Math.Max(leaked, 0)} leaked{(grownKinds.Length > 0 ? $" ({grownKinds})" : "")}"));
        }
        else
        {
            verdicts.Add(new($"{id}:fds", false, "not measurable: the server is gone"));
        }

        // Both figures: untouched pages of a large array count against the GC's heap limit but not in RSS.
        var peak = (after ?? held)?.RssPeak ?? -1;
        var growth = peak - before.Rss;
        var heapGrowth = (held?.HeapPeak ?? -1) - before.HeapLive;
        verdicts.Add(new($"{id}:growth", alive && peak > 0 && held is { HeapPeak: >= 0 } && growth <= scenario.GrowthBound && heapGrowth <= scenario.GrowthBound,
            peak > 0 ? $"RSS +{Mib(growth)} MiB, GC heap +{Mib(heapGrowth)} MiB at their peaks (bound {Mib(scenario.GrowthBound)} MiB each)" : "not measurable: the server is gone"));
        verdicts.AddRange(context.Checks.Select(check => new Verdict($"{id}:{check.Name}", check.Held, check.Figure)));
        verdicts.Add(new($"{id}:sigterm", sigterm is not null && exitCode == 0,
            sigterm is { } t ? $"exit {exitCode} {t.TotalSeconds:F1} s after SIGTERM" : alive ? "did not exit within 15 s of SIGTERM" : "had died before"));
        return new ScenarioResult(scenario, full, before, held, after, served, longest, sigterm, exitCode, context.Notes, verdicts, took.Elapsed);
    }

    // After the release: wait (up to 20 s) until the server holds no more descriptors than before the attack.
    private static async Task<ServerReading> SettleAsync(ServerChild server, int descriptors)
    {
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromSeconds(20) && server.IsAlive && server.CountDescriptors() > descriptors)
            await Task.Delay(100);
        return await server.ReadAsync();
    }

    public static string Mib(long bytes, int decimals = 0) =>
        bytes < 0 ? "?" : (bytes / (1024.0 * 1024)).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
