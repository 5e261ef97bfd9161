using System.Globalization;

// Echo load on one connection, server and client in this process, over loopback or a Unix socket in a temp folder.
// Usage: dotnet run -c Release --project benchmarks/LoadGenerator -- [scenario] [in-flight] [requests] [body bytes]
//   scenario: tcp, unix-stream, unix-seqpacket (our engine); floor-tcp, floor-unix-stream (the same echo written directly
//   on Socket, the floor the engine is measured against); grpc-unary, grpc-stream (gRPC for .NET on Kestrel, for comparison).
// Or: dotnet run -c Release --project benchmarks/LoadGenerator -- sweep [requests] [--svg docs/throughput.svg]
//   every scenario at 1, 16, 64 and 1024 in flight with 64-byte bodies: a Markdown table and an SVG chart.
var positional = args.Where((arg, i) => !arg.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--svg")).ToArray();
var svgIndex = Array.IndexOf(args, "--svg");
var svgPath = svgIndex >= 0 && svgIndex + 1 < args.Length ? args[svgIndex + 1] : null;
int Number(int index, int fallback) => positional.Length > index ? int.Parse(positional[index], CultureInfo.InvariantCulture) : fallback;

var scenario = positional.Length > 0 ? positional[0] : "tcp";
if (scenario == "sweep")
{
    var results = await Sweep.RunAsync(Number(1, 200_000), Console.Error);
    Console.WriteLine(Sweep.Table(results));
    if (svgPath is not null)
    {
        var cores = Environment.ProcessorCount;
        await File.WriteAllTextAsync(svgPath, SvgChart.Draw(results, $"Echo, 64 B bodies, one connection, {cores} cores: requests/s by requests in flight"));
        Console.WriteLine($"Chart written to {svgPath}");
    }
}
else
{
    Console.WriteLine(await Scenarios.RunAsync(scenario, Number(1, 64), Number(2, 200_000), Number(3, 64)));
}
