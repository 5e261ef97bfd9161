using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FizyrRpc.Cli.Addressing;
using FizyrRpc.Cli.Bench;
using FizyrRpc.Cli.Output;

namespace FizyrRpc.Cli.Commands;

/// <summary>
/// <c>fizyr-rpc bench ADDRESS</c>: sends N requests over C connections with a number in flight on each, and prints
/// requests/s, MB/s (request and response bodies) and latency percentiles; a progress line on a terminal while it runs.
/// Responder updates are read and counted as they come. Exit 1 when any response was an error response.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CommonOptions common)
    {
        var address = CommonOptions.AddressArgument("ADDRESS", "The server");
        var service = new Option<int>("--service") { Description = "The service ID of every request", DefaultValueFactory = _ => 1, HelpName = "ID" };
        var size = new Option<int>("--size") { Description = "The request body size in bytes", DefaultValueFactory = _ => 64, HelpName = "BYTES" };
        var inFlight = new Option<int>("--in-flight") { Description = "Requests in flight on each connection", DefaultValueFactory = _ => 64, HelpName = "N" };
        var requests = new Option<long>("--requests") { Description = "Requests in all", DefaultValueFactory = _ => 100_000, HelpName = "N" };
        var connections = new Option<int>("--connections") { Description = "Connections", DefaultValueFactory = _ => 1, HelpName = "C" };
        size.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--size must be 0 or more."); });
        inFlight.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--in-flight must be 1 or more."); });
        requests.Validators.Add(r => { if (r.GetValueOrDefault<long>() < 1) r.AddError("--requests must be 1 or more."); });
        connections.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--connections must be 1 or more."); });

        var command = new Command("bench", "Measure a server: requests/s, MB/s and latency percentiles (p50, p99, p999)")
        {
            address, service, size, inFlight, requests, connections,
        };
        common.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() =>
        {
            var plan = new Plan(
                parse.GetValue(address)!,
                parse.GetValue(service),
                parse.GetValue(size),
                parse.GetValue(inFlight),
                parse.GetValue(requests),
                parse.GetValue(connections));
            return Connector.RunClientAsync(plan.Address, common.GetSettings(parse), new Session(plan, new LineWriter(Console.Out), parse.GetValue(common.Json)), cancellationToken);
        }));
        return command;
    }

    private sealed record Plan(RpcAddress Address, int ServiceId, int Size, int InFlight, long Requests, int Connections);

    private sealed class Session(Plan plan, LineWriter output, bool json) : IClientSession
    {
        private long _remaining;
        private long _completed;
        private long _errors;
        private long _updates;
        private long _responseBytes;

        public async Task<int> RunAsync<TBody>(PeerFactory<TBody> connect, CancellationToken cancellationToken)
            where TBody : IMessageBody<TBody>
        {
            var peers = new List<PeerHandle<TBody>>();
            try
            {
                for (var i = 0; i < plan.Connections; i++)
                    peers.Add(await connect(cancellationToken));
                return await CommandRunner.OnConnectionAsync(plan.Address, () => MeasureAsync(peers, cancellationToken));
            }
            finally
            {
                foreach (var peer in peers)
                    await peer.DisposeAsync();
            }
        }

        private async Task<int> MeasureAsync<TBody>(List<PeerHandle<TBody>> peers, CancellationToken cancellationToken)
            where TBody : IMessageBody<TBody>
        {
            var body = new byte[plan.Size];
            for (var i = 0; i < body.Length; i++)
                body[i] = (byte)(i % 251);
            _remaining = plan.Requests;
            var histograms = new List<LatencyHistogram>();
            var workers = new List<Task>();
            var started = Stopwatch.GetTimestamp();
            await using (new ProgressLine(() => Interlocked.Read(ref _completed), plan.Requests))
            {
                foreach (var peer in peers)
                {
                    for (var i = 0; i < plan.InFlight; i++)
                    {
                        var histogram = new LatencyHistogram();
                        histograms.Add(histogram);
                        workers.Add(Task.Run(() => WorkAsync(peer, body, histogram, cancellationToken), cancellationToken));
                    }
                }

                await Task.WhenAll(workers);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var all = new LatencyHistogram();
            foreach (var histogram in histograms)
                all.Add(histogram);
            Report(all, elapsed);
            return _errors > 0 ? ExitCodes.ErrorResponse : ExitCodes.Success;
        }

        private async Task WorkAsync<TBody>(PeerHandle<TBody> peer, byte[] body, LatencyHistogram histogram, CancellationToken cancellationToken)
            where TBody : IMessageBody<TBody>
        {
            while (Interlocked.Decrement(ref _remaining) >= 0)
            {
                var start = Stopwatch.GetTimestamp();
                using var request = await peer.SendRequestAsync(plan.ServiceId, TBody.FromBytes(body), cancellationToken);
                while (await request.ReceiveUpdateAsync(cancellationToken) is { } update)
                {
                    update.Body.Dispose();
                    Interlocked.Increment(ref _updates);
                }

                var response = await request.ReceiveResponseAsync(cancellationToken);
                histogram.Record((long)Stopwatch.GetElapsedTime(start).TotalNanoseconds);
                using (response.Body)
                {
                    if (response.IsErrorResponse)
                        Interlocked.Increment(ref _errors);
                    else
                        Interlocked.Add(ref _responseBytes, response.Body.Data.Length);
                }

                Interlocked.Increment(ref _completed);
            }
        }

        private void Report(LatencyHistogram latencies, TimeSpan elapsed)
        {
            var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
            var count = latencies.Count;
            var requestsPerSecond = count / seconds;
            var megabytesPerSecond = ((double)count * plan.Size + _responseBytes) / seconds / 1e6;
            double Ms(long nanoseconds) => nanoseconds / 1e6;
            if (json)
            {
                output.WriteJson(writer =>
                {
                    writer.WriteString("type", "bench");
                    writer.WriteString("address", plan.Address.ToString());
                    writer.WriteNumber("service_id", plan.ServiceId);
                    writer.WriteNumber("size", plan.Size);
                    writer.WriteNumber("connections", plan.Connections);
                    writer.WriteNumber("in_flight", plan.InFlight);
                    writer.WriteNumber("requests", count);
                    writer.WriteNumber("error_responses", _errors);
                    writer.WriteNumber("updates", _updates);
                    writer.WriteNumber("seconds", Math.Round(seconds, 6));
                    writer.WriteNumber("requests_per_second", Math.Round(requestsPerSecond, 1));
                    writer.WriteNumber("mb_per_second", Math.Round(megabytesPerSecond, 3));
                    writer.WriteNumber("p50_ms", Math.Round(Ms(latencies.Percentile(0.50)), 4));
                    writer.WriteNumber("p99_ms", Math.Round(Ms(latencies.Percentile(0.99)), 4));
                    writer.WriteNumber("p999_ms", Math.Round(Ms(latencies.Percentile(0.999)), 4));
                    writer.WriteNumber("max_ms", Math.Round(Ms(latencies.Max), 4));
                });
                return;
            }

            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"bench {plan.Address}: service {plan.ServiceId}, {plan.Size}-byte bodies, {plan.Connections} connection(s) x {plan.InFlight} in flight"));
            output.WriteLine(string.Create(c, $"requests: {count} in {seconds:0.000} s, {_errors} error responses, {_updates} updates"));
            output.WriteLine(string.Create(c, $"requests/s: {requestsPerSecond:0}"));
            output.WriteLine(string.Create(c, $"MB/s: {megabytesPerSecond:0.00} (request and response bodies)"));
            output.WriteLine(string.Create(
                c,
                $"latency: p50 {Ms(latencies.Percentile(0.50)):0.000} ms, p99 {Ms(latencies.Percentile(0.99)):0.000} ms, p999 {Ms(latencies.Percentile(0.999)):0.000} ms, max {Ms(latencies.Max):0.000} ms"));
        }
    }
}
