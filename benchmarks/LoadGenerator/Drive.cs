using System.Diagnostics;
using System.Globalization;
using FizyrRpc;
using FizyrRpc.Transports;
using LoadGenerator.Typed;

/// <summary>
/// Our clients as the load generator in their own process, against a server in another (benchmarks/native: the C floor),
/// with the native load generator's command line and output, so that a driver can run both the same way:
/// <code>
/// drive (raw | typed) (--tcp HOST:PORT | --unix-seqpacket PATH) [--connections 1] [--in-flight 1] [--body 64]
///       [--requests 10000 | --duration S] [--warmup 1000 | --warmup-duration S] [--service 1] [--reply-service 0]
///       [--timeout 120] [--sync] [--inline-responses]
/// </code>
/// <c>raw</c>: the PeerHandle API as users write it, one task per request in flight (each sends its next request when
/// its response is back). <c>typed</c>: the generated client (<see cref="ITypedEcho"/>, MessagePack bodies), one task per
/// call in flight. --inline-responses: <see cref="PeerOptions.PreferInlineResponses"/> on. Every response is checked: its body must be its request's (each request carries a different window of
/// a fixed pattern, so a swapped, stale or damaged body is caught) and, for <c>raw</c>, its service ID --reply-service.
/// The first mismatch ends the run with exit code 1 and what was wrong on stderr. With --duration each task sends for
/// that long, then finishes its open call. --sync: once warm, prints "warm" and waits for a line on standard input.
/// Prints one JSON object: requests/s, MB/s of bodies (one way), p50/p99/p999 in microseconds, responses checked, and
/// the bytes this process allocated per request in the measured phase.
/// </summary>
internal static class Drive
{
    public const string Command = "drive";

    private const string Usage =
        "usage: drive (raw | typed) (--tcp HOST:PORT | --unix-seqpacket PATH) [--connections N] [--in-flight N] [--body BYTES]\n" +
        "             [--requests N | --duration S] [--warmup N | --warmup-duration S] [--service ID] [--reply-service ID]\n" +
        "             [--timeout S] [--sync] [--inline-responses]";

    // Distinct request bodies: a window of the pattern each. Fewer for large bodies (the typed client needs arrays).
    private const int SmallWindows = 256;
    private const int LargeWindows = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (Exception error) when (error is ArgumentException or FormatException or OverflowException)
        {
            await Console.Error.WriteLineAsync($"{error.Message}\n{Usage}");
            return 2;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        var calls = await ConnectAsync(settings);
        try
        {
            if (settings.Warmup > 0 || settings.WarmupSeconds > 0)
                await RunPhaseAsync(calls, settings, settings.Warmup, settings.WarmupSeconds, timeout.Token);
            if (settings.Sync)
            {
                Console.WriteLine("warm");
                Console.Out.Flush();
                if (await Console.In.ReadLineAsync() is null)
                    throw new InvalidOperationException("--sync: standard input closed before the go");
            }

            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var phase = await RunPhaseAsync(calls, settings, settings.Requests, settings.DurationSeconds, timeout.Token);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var rate = phase.Latencies.Length / phase.Seconds;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"connections\": {settings.Connections}, \"in_flight\": {settings.InFlight}, \"body\": {settings.Body}, " +
                $"\"requests\": {phase.Latencies.Length}, \"seconds\": {phase.Seconds:F6}, \"requests_per_s\": {rate:F1}, " +
                $"\"mb_per_s\": {rate * settings.Body / 1e6:F2}, \"p50_us\": {Micros(phase.Latencies, 0.5):F2}, " +
                $"\"p99_us\": {Micros(phase.Latencies, 0.99):F2}, \"p999_us\": {Micros(phase.Latencies, 0.999):F2}, " +
                $"\"checked\": {phase.Latencies.Length}, \"allocated_per_request\": {(double)allocated / Math.Max(1, phase.Latencies.Length):F1}}}"));
            return 0;
        }
        catch (Exception error) when (error is Mismatch or RpcException or OperationCanceledException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync(error is OperationCanceledException ? $"timed out after {settings.TimeoutSeconds} s" : error.Message);
            return 1;
        }
        finally
        {
            foreach (var call in calls)
                await call.DisposeAsync();
        }
    }

    // One connection's way of making a call: sends body, returns once the checked answer is back.
    private abstract class Caller : IAsyncDisposable
    {
        public abstract Task CallAsync(Body body, CancellationToken cancellationToken);

        public abstract ValueTask DisposeAsync();
    }

    private static async Task<Caller[]> ConnectAsync(Settings settings)
    {
        var callers = new Caller[settings.Connections];
        var options = new PeerOptions { PreferInlineResponses = settings.InlineResponses };
        for (var i = 0; i < callers.Length; i++)
        {
            callers[i] = (settings.Transport, settings.Client) switch
            {
                ("tcp", "raw") => new RawCaller<StreamBody>(await TcpPeer.ConnectAsync(settings.Address, Serve.StreamSettings, options), settings),
                ("tcp", _) => new TypedCaller<StreamBody>(new ITypedEcho.Client(await TcpPeer.ConnectAsync(settings.Address, Serve.StreamSettings, options))),
                (_, "raw") => new RawCaller<UnixBody>(await UnixSeqpacketPeer.ConnectAsync(settings.Address, Serve.SeqpacketSettings, options), settings),
                _ => new TypedCaller<UnixBody>(new ITypedEcho.Client<UnixBody>(await UnixSeqpacketPeer.ConnectAsync(settings.Address, Serve.SeqpacketSettings, options))),
            };
        }

        return callers;
    }

    /// <summary>
    /// Runs <paramref name="requests"/> calls (or calls for <paramref name="seconds"/>) from <see cref="Settings.InFlight"/>
    /// tasks per connection; returns the sorted round trips and the phase's length.
    /// </summary>
    private static async Task<(long[] Latencies, double Seconds)> RunPhaseAsync(
        Caller[] callers, Settings settings, int requests, double seconds, CancellationToken cancellationToken)
    {
        var bodies = new Bodies(settings.Body);
        var started = Stopwatch.GetTimestamp();
        var end = seconds > 0 ? started + (long)(seconds * Stopwatch.Frequency) : long.MaxValue;
        var remaining = seconds > 0 ? long.MaxValue : requests;
        var workers = new List<Task<List<long>>>();
        foreach (var caller in callers)
        {
            for (var w = 0; w < settings.InFlight; w++)
            {
                var first = workers.Count;
                workers.Add(Task.Run(async () =>
                {
                    var latencies = new List<long>();
                    var next = first;
                    while (Stopwatch.GetTimestamp() < end && Interlocked.Decrement(ref remaining) >= 0)
                    {
                        var began = Stopwatch.GetTimestamp();
                        await caller.CallAsync(bodies.Get(next++), cancellationToken);
                        latencies.Add(Stopwatch.GetTimestamp() - began);
                    }

                    return latencies;
                }, cancellationToken));
            }
        }

        var all = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var sorted = all.SelectMany(list => list).ToArray();
        Array.Sort(sorted);
        return (sorted, elapsed);
    }

    private static double Micros(long[] sorted, double quantile) => sorted.Length == 0 ? double.NaN :
        sorted[(int)Math.Min(sorted.Length - 1, quantile * sorted.Length)] * 1e6 / Stopwatch.Frequency;

    /// <summary>A request body: the window of the pattern it was cut from (also as an array, for the typed client).</summary>
    private readonly record struct Body(ReadOnlyMemory<byte> Bytes, byte[] Array);

    /// <summary>The distinct request bodies: windows of one fixed pattern at different offsets.</summary>
    private sealed class Bodies
    {
        private readonly Body[] _bodies;

        public Bodies(int size)
        {
            var count = size <= 64 * 1024 ? SmallWindows : LargeWindows;
            var pattern = new byte[size + count];
            for (var i = 0; i < pattern.Length; i++)
                pattern[i] = (byte)((i * 131) + ((i >> 8) * 7) + 1);
            _bodies = new Body[count];
            for (var i = 0; i < count; i++)
            {
                var window = pattern.AsMemory(i, size);
                _bodies[i] = new Body(window, window.ToArray());
            }
        }

        public Body Get(int index) => _bodies[index % _bodies.Length];
    }

    private sealed class Mismatch(string message) : Exception(message);

    private sealed class RawCaller<TBody>(PeerHandle<TBody> peer, Settings settings) : Caller
        where TBody : IMessageBody<TBody>
    {
        public override async Task CallAsync(Body body, CancellationToken cancellationToken)
        {
            using var request = await peer.SendRequestAsync(settings.Service, TBody.FromBytes(body.Bytes), cancellationToken);
            var response = await request.ReceiveResponseAsync(cancellationToken);
            using (response.Body)
            {
                if (response.Header.ServiceId != settings.ReplyService)
                    throw new Mismatch($"request {request.RequestId}: service ID {response.Header.ServiceId}, expected {settings.ReplyService}");
                if (!response.Body.Data.Span.SequenceEqual(body.Bytes.Span))
                    throw new Mismatch($"request {request.RequestId}: the response's body ({response.Body.Data.Length} B) is not the request's ({body.Bytes.Length} B)");
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await peer.CloseAsync();
            await peer.DisposeAsync();
        }
    }

    private sealed class TypedCaller<TBody>(ITypedEcho.Client<TBody> client) : Caller
        where TBody : IMessageBody<TBody>
    {
        public override async Task CallAsync(Body body, CancellationToken cancellationToken)
        {
            var echoed = await client.EchoAsync(body.Array, cancellationToken);
            if (!echoed.AsSpan().SequenceEqual(body.Array))
                throw new Mismatch($"a call's answer ({echoed.Length} B) is not its request's body ({body.Array.Length} B)");
        }

        public override async ValueTask DisposeAsync()
        {
            await client.CloseAsync();
            await client.DisposeAsync();
        }
    }

    private sealed record Settings(string Client, string Transport, string Address)
    {
        public int Connections { get; private init; } = 1;

        public int InFlight { get; private init; } = 1;

        public int Body { get; private init; } = 64;

        public int Requests { get; private init; } = 10_000;

        public double DurationSeconds { get; private init; }

        public int Warmup { get; private init; } = 1_000;

        public double WarmupSeconds { get; private init; }

        public int Service { get; private init; } = 1;

        public int ReplyService { get; private init; }

        public double TimeoutSeconds { get; private init; } = 120;

        public bool Sync { get; private init; }

        public bool InlineResponses { get; private init; }

        public static Settings Parse(string[] args)
        {
            if (args is not [Command, "raw" or "typed", "--tcp" or "--unix-seqpacket", _, ..])
                throw new ArgumentException("drive needs a client (raw or typed) and an address.", nameof(args));
            var settings = new Settings(args[1], args[2] == "--tcp" ? "tcp" : "seqpacket", args[3]);
            for (var i = 4; i < args.Length; i++)
            {
                if (args[i] is "--sync" or "--inline-responses")
                {
                    settings = args[i] == "--sync" ? settings with { Sync = true } : settings with { InlineResponses = true };
                    continue;
                }

                if (i + 1 == args.Length)
                    throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
                var value = args[++i];
                int Int() => int.Parse(value, CultureInfo.InvariantCulture);
                double Seconds() => double.Parse(value, CultureInfo.InvariantCulture);
                settings = args[i - 1] switch
                {
                    "--connections" => settings with { Connections = Int() },
                    "--in-flight" => settings with { InFlight = Int() },
                    "--body" => settings with { Body = Int() },
                    "--requests" => settings with { Requests = Int(), DurationSeconds = 0 },
                    "--duration" => settings with { DurationSeconds = Seconds() },
                    "--warmup" => settings with { Warmup = Int(), WarmupSeconds = 0 },
                    "--warmup-duration" => settings with { WarmupSeconds = Seconds() },
                    "--service" => settings with { Service = Int() },
                    "--reply-service" => settings with { ReplyService = Int() },
                    "--timeout" => settings with { TimeoutSeconds = Seconds() },
                    _ => throw new ArgumentException($"Unknown option {args[i - 1]}.", nameof(args)),
                };
            }

            if (settings.Connections < 1 || settings.InFlight < 1 || settings.Body < 0 || settings.Requests < 1 || settings.TimeoutSeconds <= 0)
                throw new ArgumentException("Connections, in flight and requests must be at least 1, the body at least 0, the timeout positive.", nameof(args));
            return settings;
        }
    }
}
