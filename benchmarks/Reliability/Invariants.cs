namespace FizyrRpc.Benchmarks.Reliability;

/// <summary>Which invariants are judged: all in full mode; in short mode (CI) all but those pending on the engine's fixes.</summary>
internal sealed class Invariants(bool full, IReadOnlyList<string> enable, IReadOnlyList<string> disable)
{
    /// <summary>
    /// The invariants today's engine breaks (issue 11), judged in full mode only until the engine's fixes land; the
    /// lead removes each from this list once they hold. docs/RELIABILITY.md lists them with today's figures.
    /// </summary>
    public static readonly string[] PendingOnEngine =
    [
        "stopped-reader:growth",    // responses queue by count, not bytes: +264 MiB for 4 x 64 x 1 MiB
        "slow-headers:closed",      // no frame timeout: 0 of 200 closed in 60 s
        "trickled-bodies:growth",   // bodies grow as they arrive, but no server-wide budget: GC heap +110 MiB for 1,000
        "many-connections:growth",  // about 70 KiB per idle connection, no server-wide budget: +141 MiB for 2,000
    ];

    public bool IsJudged(string id)
    {
        if (disable.Any(pattern => Matches(pattern, id)))
            return false;
        if (enable.Any(pattern => Matches(pattern, id)))
            return true;
        return full || !PendingOnEngine.Contains(id);
    }

    // "scenario:check" exactly, "scenario" for all its checks, or "check" for that check of every scenario.
    private static bool Matches(string pattern, string id) =>
        id == pattern || id.StartsWith(pattern + ":", StringComparison.Ordinal) || id.EndsWith(":" + pattern, StringComparison.Ordinal);
}
