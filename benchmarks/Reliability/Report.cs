using System.Globalization;

namespace FizyrRpc.Benchmarks.Reliability;

/// <summary>The table of figures, in Markdown, as docs/RELIABILITY.md records it.</summary>
internal static class Report
{
    public static void Table(TextWriter output, IReadOnlyList<ScenarioResult> results)
    {
        output.WriteLine("| scenario | attack | RSS before | RSS peak growth | GC heap live before -> held | GC heap peak | fds before / held / after | canary round trips (longest) | SIGTERM | notes |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var peak = (r.After ?? r.Held)?.RssPeak ?? -1;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Scenario.Name} | {r.Scenario.Describe(r.Full)} | {Runner.Mib(r.Before.Rss)} MiB | {(peak > 0 ? "+" + Runner.Mib(peak - r.Before.Rss) : "?")} MiB "
                + $"| {Runner.Mib(r.Before.HeapLive, 1)} -> {Runner.Mib(r.Held?.HeapLive ?? -1, 1)} MiB | {Runner.Mib(r.Held?.HeapPeak ?? -1)} MiB "
                + $"| {r.Before.Descriptors} / {Fds(r.Held)} / {Fds(r.After)} | {r.Canary} ({r.CanaryLongest.TotalMilliseconds:F0} ms) "
                + $"| {(r.Sigterm is { } t ? $"exit {r.ExitCode} in {t.TotalSeconds:F1} s" : r.ExitCode is { } code ? $"died (exit {code})" : "no exit")} "
                + $"| {string.Join("; ", r.Notes)} ({r.Took.TotalSeconds:F0} s) |"));
        }
    }

    private static string Fds(ServerReading? reading) => reading is { Descriptors: >= 0 } r ? r.Descriptors.ToString(CultureInfo.InvariantCulture) : "?";
}
