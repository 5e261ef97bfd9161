using System.Globalization;
using System.Security;
using System.Text;

/// <summary>
/// Draws the sweep as an SVG line chart by hand: requests in flight on a log-2 x axis, requests/s on a log-10 y axis
/// (the series span three decades), one polyline per scenario and a legend.
/// </summary>
internal static class SvgChart
{
    private const double Width = 820, Height = 480;
    private const double Left = 80, Right = 190, Top = 50, Bottom = 60;
    private static readonly string[] Colors = ["#1f77b4", "#7f7f7f", "#d62728", "#ff7f0e", "#2ca02c", "#bcbd22", "#9467bd", "#8c564b"];

    public static string Draw(IReadOnlyList<LoadResult> results, string title)
    {
        var series = results.GroupBy(r => r.Scenario).ToList();
        var xMin = Math.Log2(results.Min(r => r.InFlight));
        var xMax = Math.Log2(results.Max(r => r.InFlight));
        var yMin = Math.Floor(Math.Log10(results.Min(r => r.RequestsPerSecond)));
        var yMax = Math.Ceiling(Math.Log10(results.Max(r => r.RequestsPerSecond)));
        if (xMax <= xMin)
            xMax = xMin + 1;
        if (yMax <= yMin)
            yMax = yMin + 1;
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(int inFlight) => Left + ((Math.Log2(inFlight) - xMin) / (xMax - xMin) * plotWidth);
        double Y(double rate) => Top + plotHeight - ((Math.Log10(rate) - yMin) / (yMax - yMin) * plotHeight);

        var svg = new StringBuilder();
        void Line(FormattableString text) => svg.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        Line($"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        Line($"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        Line($"""<text x="{Left + (plotWidth / 2)}" y="24" text-anchor="middle" font-size="15">{Escape(title)}</text>""");

        // Grid and y labels: each decade, with 2x and 5x lines between.
        for (var decade = yMin; decade <= yMax; decade++)
        {
            foreach (var factor in new[] { 1, 2, 5 })
            {
                var rate = factor * Math.Pow(10, decade);
                if (Math.Log10(rate) > yMax)
                    break;
                var y = Y(rate);
                Line($"""<line x1="{Left}" y1="{y:F1}" x2="{Left + plotWidth}" y2="{y:F1}" stroke="{(factor == 1 ? "#cccccc" : "#eeeeee")}"/>""");
                if (factor == 1 || plotHeight / (yMax - yMin) > 120)
                    Line($"""<text x="{Left - 8}" y="{y + 4:F1}" text-anchor="end">{Escape(FormatRate(rate))}</text>""");
            }
        }

        // Grid and x labels: the in-flight counts measured.
        foreach (var inFlight in results.Select(r => r.InFlight).Distinct().Order())
        {
            var x = X(inFlight);
            Line($"""<line x1="{x:F1}" y1="{Top}" x2="{x:F1}" y2="{Top + plotHeight}" stroke="#cccccc"/>""");
            Line($"""<text x="{x:F1}" y="{Top + plotHeight + 18}" text-anchor="middle">{inFlight}</text>""");
        }

        // Axes and their titles.
        Line($"""<line x1="{Left}" y1="{Top + plotHeight}" x2="{Left + plotWidth}" y2="{Top + plotHeight}" stroke="black"/>""");
        Line($"""<line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Top + plotHeight}" stroke="black"/>""");
        Line($"""<text x="{Left + (plotWidth / 2)}" y="{Height - 16}" text-anchor="middle">requests in flight (log scale)</text>""");
        Line($"""<text transform="translate(20 {Top + (plotHeight / 2)}) rotate(-90)" text-anchor="middle">requests/s (log scale)</text>""");

        // One polyline per scenario, with its points, and the legend.
        for (var i = 0; i < series.Count; i++)
        {
            var color = Colors[i % Colors.Length];
            var points = series[i].OrderBy(r => r.InFlight).ToList();
            var dashed = points[0].Scenario.StartsWith("floor-", StringComparison.Ordinal) ? " stroke-dasharray=\"6 4\"" : "";
            var path = string.Join(" ", points.Select(r => string.Create(CultureInfo.InvariantCulture, $"{X(r.InFlight):F1},{Y(r.RequestsPerSecond):F1}")));
            Line($"""<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dashed}/>""");
            foreach (var point in points)
                Line($"""<circle cx="{X(point.InFlight):F1}" cy="{Y(point.RequestsPerSecond):F1}" r="3" fill="{color}"><title>{Escape(point.Scenario)}, {point.InFlight} in flight: {point.RequestsPerSecond:F0} requests/s</title></circle>""");

            var legendY = Top + 10 + (i * 22);
            Line($"""<line x1="{Left + plotWidth + 20}" y1="{legendY}" x2="{Left + plotWidth + 50}" y2="{legendY}" stroke="{color}" stroke-width="2"{dashed}/>""");
            Line($"""<text x="{Left + plotWidth + 58}" y="{legendY + 4}">{Escape(points[0].Scenario)}</text>""");
        }

        Line($"</svg>");
        return svg.ToString();
    }

    private static string FormatRate(double rate) => rate switch
    {
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{rate / 1e6:0.#}M"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{rate / 1e3:0.#}k"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{rate:0}"),
    };

    private static string Escape(string text) => SecurityElement.Escape(text);
}
