using System.Globalization;
using System.Text;
using System.Text.Json;

/// <summary>The sweep's output: one Markdown table per family with ratios to the floor, and a JSON file of every result.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The floor run of <paramref name="result"/>: same family, transport, load and size.</summary>
    public static LoadResult? FloorOf(LoadResult result, IReadOnlyList<LoadResult> results)
    {
        var floor = ScenarioName.Parse(result.Scenario).Floor;
        return results.FirstOrDefault(r => r.Scenario == floor && r.Family == result.Family && r.InFlight == result.InFlight
            && r.Connections == result.Connections && r.BodySize == result.BodySize);
    }

    public static string Tables(IReadOnlyList<LoadResult> results)
    {
        var text = new StringBuilder();
        foreach (var family in results.GroupBy(r => r.Family))
        {
            var unit = family.Any(r => ScenarioName.Parse(r.Scenario).Mode == LoadMode.OneWay) ? "Messages/s" : "Requests/s";
            text.AppendLine(CultureInfo.InvariantCulture, $"### {family.Key}");
            text.AppendLine();
            text.AppendLine($"| Scenario | In flight | Connections | Body | {unit} | × floor | MB/s | p50 µs | p50 × floor | p99 µs | p999 µs | B allocated / request | CPU µs / request |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var result in family.OrderBy(r => r.BodySize).ThenBy(r => r.InFlight))
            {
                var floor = FloorOf(result, results);
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {result.Scenario} | {result.InFlight} | {result.Connections} | {Size(result.BodySize)} | {result.RequestsPerSecond:N0} | " +
                    $"{result.RequestsPerSecond / floor?.RequestsPerSecond:F2} | {result.MegabytesPerSecond:F1} | {result.Micros(0.5):F1} | " +
                    $"{result.Micros(0.5) / floor?.Micros(0.5):F2} | {result.Micros(0.99):F1} | {result.Micros(0.999):F1} | " +
                    $"{result.AllocatedPerRequest:F0} | {result.CpuMicrosPerRequest:F2} |"));
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    public static string Size(int bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)} MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB",
        _ => $"{bytes} B",
    };

    public static async Task WriteJsonAsync(string path, IReadOnlyList<LoadResult> results)
    {
        var rows = results.Select(r =>
        {
            var floor = FloorOf(r, results);
            return new ResultRow(
                r.Scenario, r.Family, r.InFlight, r.Connections, r.BodySize, r.TwoProcess, r.Requests, r.RequestsPerSecond,
                floor is null ? null : r.RequestsPerSecond / floor.RequestsPerSecond,
                NullIfNaN(r.Micros(0.5)), NullIfNaN(r.Micros(0.99)), NullIfNaN(r.Micros(0.999)),
                r.MegabytesPerSecond, r.AllocatedPerRequest, r.CpuMicrosPerRequest);
        }).ToList();
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(rows, Json));
    }

    public static async Task<IReadOnlyList<ResultRow>> ReadJsonAsync(string path) =>
        JsonSerializer.Deserialize<List<ResultRow>>(await File.ReadAllTextAsync(path), Json)
        ?? throw new InvalidDataException($"{path} holds no results.");

    private static double? NullIfNaN(double value) => double.IsNaN(value) ? null : value;
}

/// <summary>One result as the JSON file keeps it, so two sweeps (say, before and after an engine change) can be compared.</summary>
internal sealed record ResultRow(
    string Scenario,
    string Family,
    int InFlight,
    int Connections,
    int BodySize,
    bool TwoProcess,
    int Requests,
    double RequestsPerSecond,
    double? RatioToFloor,
    double? P50Micros,
    double? P99Micros,
    double? P999Micros,
    double MegabytesPerSecond,
    double AllocatedPerRequest,
    double CpuMicrosPerRequest);
