using System.Globalization;
using System.Text;

/// <summary>
/// Sweeps side by side (e.g. the old engine and the new): the ratio to the floor is the fair measure, since each sweep
/// measured its own floor on the machine of the day; requests/s and allocations follow. Each side may be several sweeps
/// (comma-separated files): each figure is then the median over them, which tames a shared machine's noise.
/// </summary>
internal static class Compare
{
    public static async Task<string> RunAsync(string beforePaths, string afterPaths)
    {
        var before = await ReadAsync(beforePaths);
        var after = await ReadAsync(afterPaths);
        var text = new StringBuilder();
        text.AppendLine("| Family | Scenario | In flight | Connections | Body | Before × floor | After × floor | Before requests/s | After requests/s | Before B allocated / request | After B allocated / request |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (key, rows) in after)
        {
            before.TryGetValue(key, out var old);
            text.AppendLine(Line(key, old, rows));
        }

        // What the old sweeps had and the new ones lack is listed too, so nothing silently drops out.
        foreach (var (key, rows) in before.Where(b => !after.ContainsKey(b.Key)))
            text.AppendLine(Line(key, rows, null));
        return text.ToString();
    }

    private static string Line(Key key, List<ResultRow>? before, List<ResultRow>? after) => string.Create(CultureInfo.InvariantCulture,
        $"| {key.Family} | {key.Scenario} | {key.InFlight} | {key.Connections} | {Report.Size(key.BodySize)} | " +
        $"{Median(before, r => r.RatioToFloor):F2} | {Median(after, r => r.RatioToFloor):F2} | " +
        $"{Median(before, r => r.RequestsPerSecond):N0} | {Median(after, r => r.RequestsPerSecond):N0} | " +
        $"{Median(before, r => r.AllocatedPerRequest):F0} | {Median(after, r => r.AllocatedPerRequest):F0} |");

    // Results keyed by what was measured, in the order of the first sweep.
    private static async Task<Dictionary<Key, List<ResultRow>>> ReadAsync(string paths)
    {
        var results = new Dictionary<Key, List<ResultRow>>();
        foreach (var path in paths.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var row in await Report.ReadJsonAsync(path))
            {
                var key = new Key(row.Family, row.Scenario, row.InFlight, row.Connections, row.BodySize);
                if (!results.TryGetValue(key, out var rows))
                    results[key] = rows = [];
                rows.Add(row);
            }
        }

        return results;
    }

    private static double? Median(List<ResultRow>? rows, Func<ResultRow, double?> value)
    {
        var values = rows?.Select(value).OfType<double>().Order().ToList();
        if (values is null || values.Count == 0)
            return null;
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private readonly record struct Key(string Family, string Scenario, int InFlight, int Connections, int BodySize);
}
