using System.Globalization;

// Load generator: our engine against its raw-socket floor and gRPC, one scenario or the whole sweep.
// Usage: dotnet run -c Release --project benchmarks/LoadGenerator -- SCENARIO [in-flight] [requests] [body bytes] [--connections N] [--two-process]
//   SCENARIO: see ScenarioName.Help (e.g. tcp, tcp-pipelined, typed-tcp, tcp-updates, tcp-oneway, unix-seqpacket, floor-tcp, grpc-unary).
// Or: ... -- sweep [requests] [--svg chart.svg] [--json results.json] [--quick]
//   every scenario family, one Markdown table each with ratios to the floor; the echo as an SVG chart. The default
//   (400000 requests, sized down per family) takes about 2 minutes on 2 cores; --quick a tenth of the requests.
// Or: ... -- smoke   (every scenario once with a handful of requests: "N passed, M failed", what CI runs)
// Or: ... -- compare before.json[,more.json] after.json[,more.json]   (sweeps side by side, medians when several, as a Markdown table)
// Or: ... -- serve-typed (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH), or serve-grpc --tcp 127.0.0.1:0
//   (the typed or the gRPC echo server alone, for the native load generator in another process: benchmarks/native)
// Or: ... -- drive (raw | typed) (--tcp HOST:PORT | --unix-seqpacket PATH) [the native load generator's options]
//   (our raw or typed client alone against a server in another process, e.g. the native floor: see Drive)
if (args is [TwoProcess.ChildCommand, ..])
    return await TwoProcess.RunChildAsync(args);
if (args is [Serve.TypedCommand or Serve.GrpcCommand, ..])
    return await Serve.RunAsync(args);
if (args is [Drive.Command, ..])
    return await Drive.RunAsync(args);

string[] valued = ["--svg", "--json", "--connections"];
var positional = args.Where((arg, i) => !arg.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !valued.Contains(args[i - 1]))).ToArray();
string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

int Number(int index, int fallback) => positional.Length > index ? int.Parse(positional[index], CultureInfo.InvariantCulture) : fallback;

var scenario = positional.Length > 0 ? positional[0] : "tcp";
switch (scenario)
{
    case "smoke":
        return await Sweep.SmokeAsync(Console.Out) == 0 ? 0 : 1;

    case "sweep":
    {
        var started = DateTime.UtcNow;
        var results = await Sweep.RunAsync(Number(1, Sweep.DefaultRequests), args.Contains("--quick"), Console.Error);
        Console.WriteLine(Report.Tables(results));
        Console.WriteLine($"Sweep took {(DateTime.UtcNow - started).TotalSeconds:F0} s.");
        if (Option("--json") is { } jsonPath)
        {
            await Report.WriteJsonAsync(jsonPath, results);
            Console.WriteLine($"Results written to {jsonPath}");
        }

        if (Option("--svg") is { } svgPath)
        {
            var echo = results.Where(r => r.Family == "echo" && Sweep.ChartScenarios.Contains(r.Scenario)).ToList();
            var cores = Environment.ProcessorCount;
            await File.WriteAllTextAsync(svgPath, SvgChart.Draw(echo, $"Echo, 64 B bodies, one connection, {cores} cores: requests/s by requests in flight"));
            Console.WriteLine($"Chart written to {svgPath}");
        }

        break;
    }

    case "compare" when positional.Length == 3:
        Console.WriteLine(await Compare.RunAsync(positional[1], positional[2]));
        break;

    default:
    {
        ScenarioName name;
        try
        {
            name = ScenarioName.Parse(scenario);
        }
        catch (ArgumentException error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }

        var connections = Option("--connections") is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : 1;
        var spec = new LoadSpec(name.Mode, Number(1, 64), Number(2, 200_000), Number(3, 64), connections);
        Console.WriteLine(await Scenarios.RunAsync(scenario, spec, args.Contains("--two-process")));
        break;
    }
}

return 0;
