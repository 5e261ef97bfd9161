using System.Globalization;
using System.Text;

/// <summary>
/// Two sweeps side by side (e.g. the old engine and the new): the ratio to the floor is the fair measure, since each
/// sweep measured its own floor on the machine of the day; requests/s and allocations follow.
/// </summary>
internal static class Compare
{
    public static async Task<string> RunAsync(string beforePath, string afterPath)
    {
        var before = await Report.ReadJsonAsync(beforePath);
        var after = await Report.ReadJsonAsync(afterPath);
        var text = new StringBuilder();
        text.AppendLine("| Family | Scenario | In flight | Connections | Body | Before × floor | After × floor | Before requests/s | After requests/s | Before B allocated / request | After B allocated / request |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in after)
        {
            var old = before.FirstOrDefault(b => b.Scenario == row.Scenario && b.Family == row.Family && b.InFlight == row.InFlight
                && b.Connections == row.Connections && b.BodySize == row.BodySize);
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Family} | {row.Scenario} | {row.InFlight} | {row.Connections} | {Report.Size(row.BodySize)} | {old?.RatioToFloor:F2} | {row.RatioToFloor:F2} | " +
                $"{old?.RequestsPerSecond:N0} | {row.RequestsPerSecond:N0} | {old?.AllocatedPerRequest:F0} | {row.AllocatedPerRequest:F0} |"));
        }

        // What the old sweep had and the new one lacks is listed too, so nothing silently drops out.
        foreach (var old in before.Where(b => !after.Any(a => a.Scenario == b.Scenario && a.Family == b.Family && a.InFlight == b.InFlight
            && a.Connections == b.Connections && a.BodySize == b.BodySize)))
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {old.Family} | {old.Scenario} | {old.InFlight} | {old.Connections} | {Report.Size(old.BodySize)} | {old.RatioToFloor:F2} | | " +
                $"{old.RequestsPerSecond:N0} | | {old.AllocatedPerRequest:F0} | |"));
        }

        return text.ToString();
    }
}
