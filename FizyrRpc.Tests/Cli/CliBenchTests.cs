using System.Text.Json;
using FizyrRpc.Samples.Conformance;

namespace FizyrRpc.Tests.Cli;

/// <summary>
/// <c>fizyr-rpc bench</c>, installed as a user installs the tool, against the conformance server over TCP, Unix stream
/// and Unix seqpacket with a small number of requests: it completes and reports (its timings are never judged).
/// </summary>
public class CliBenchTests
{
    public static IEnumerable<EndpointKind> AllKinds => CliCallTests.AllKinds;

    [TestCaseSource(nameof(AllKinds))]
    public async Task BenchCompletesEveryRequestAndReports(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);

        var text = await CliTool.RunAsync("bench", server.Address, "--requests", "300", "--in-flight", "4", "--connections", "2", "--size", "100");
        var json = await CliTool.RunAsync("bench", server.Address, "--requests", "50", "--in-flight", "3", "--service", "2", "--json");

        Assert.That(text.ExitCode, Is.Zero, text.ToString());
        Assert.That(text.Lines, Has.Length.EqualTo(5), text.ToString());
        Assert.That(text.Lines[0], Is.EqualTo($"bench {server.Address}: service 1, 100-byte bodies, 2 connection(s) x 4 in flight"));
        Assert.That(text.Lines[1], Does.Match(@"^requests: 300 in \d+\.\d{3} s, 0 error responses, 0 updates$"));
        Assert.That(text.Lines[2], Does.Match(@"^requests/s: \d+$"));
        Assert.That(text.Lines[3], Does.Match(@"^MB/s: \d+\.\d\d \(request and response bodies\)$"));
        Assert.That(text.Lines[4], Does.Match(@"^latency: p50 [\d.]+ ms, p99 [\d.]+ ms, p999 [\d.]+ ms, max [\d.]+ ms$"));

        Assert.That(json.ExitCode, Is.Zero, json.ToString());
        var report = JsonDocument.Parse(json.Lines.Single()).RootElement;
        Assert.That(report.GetProperty("requests").GetInt64(), Is.EqualTo(50));
        Assert.That(report.GetProperty("error_responses").GetInt64(), Is.Zero);
        Assert.That(report.GetProperty("updates").GetInt64(), Is.EqualTo(150), "the progress service sends three updates per request");
        var p50 = report.GetProperty("p50_ms").GetDouble();
        var p99 = report.GetProperty("p99_ms").GetDouble();
        Assert.That(p50, Is.GreaterThan(0).And.LessThanOrEqualTo(p99));
        Assert.That(p99, Is.LessThanOrEqualTo(report.GetProperty("p999_ms").GetDouble()));
        Assert.That(report.GetProperty("requests_per_second").GetDouble(), Is.GreaterThan(0));
    }

    [Test]
    public async Task BenchCountsErrorResponsesAndExits1()
    {
        await using var server = await CliServer.StartAsync(EndpointKind.Tcp);

        var result = await CliTool.RunAsync("bench", server.Address, "--requests", "20", "--in-flight", "2", "--service", "3", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(JsonDocument.Parse(result.Lines.Single()).RootElement.GetProperty("error_responses").GetInt64(), Is.EqualTo(20));
    }
}
