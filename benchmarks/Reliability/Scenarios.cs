using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using FizyrRpc.Transports;

namespace FizyrRpc.Benchmarks.Reliability;

/// <summary>The scenarios, in the order they run.</summary>
internal static class Scenarios
{
    public static readonly Scenario[] All =
    [
        new Flood("request-flood", MessageType.Request), new Flood("stream-flood", MessageType.Stream), new StoppedReader(), new SlowHeaders(), new TrickledBodies(),
        new ManyConnections(), new ResetsMidFrame(),
    ];

    /// <summary>The container-sized heap of the issue: 256 MiB.</summary>
    public const string ContainerHeap = "0x10000000";

    /// <summary>How long a flood's send may make no progress before the suite takes it as the server's backpressure.</summary>
    public static readonly TimeSpan Stall = TimeSpan.FromSeconds(3);
}

/// <summary>
/// One connection writes 4 KiB messages back to back and never reads: echo requests (each with its own ID: a request
/// whose ID is still open would be refused, not served) or stream messages (the sample echoes each).
/// </summary>
internal sealed class Flood(string name, MessageType type) : Scenario
{
    public override string Name => name;

    public override string Describe(bool full) =>
        $"1 conn, {(full ? 100_000 : 10_000)} x 4 KiB {(type == MessageType.Request ? "echo requests" : "stream messages")}, never reads";

    public override async Task<Action> AttackAsync(ScenarioContext context)
    {
        var count = context.Size(100_000, 10_000);
        var sockets = await Hostile.ConnectAsync(context.EndPoint, 1);
        var frame = Hostile.Frame(new MessageHeader(type, 0, 1), new byte[4096]);
        long sent = 0;
        var batch = new byte[frame.Length * 16];
        while (sent < count)
        {
            var frames = (int)Math.Min(16, count - sent);
            for (var i = 0; i < frames; i++)
            {
                frame.CopyTo(batch, i * frame.Length);
                if (type == MessageType.Request)
                    BinaryPrimitives.WriteUInt32LittleEndian(batch.AsSpan(i * frame.Length + 8), (uint)(sent + i + 1));
            }

            if (!await Hostile.SendAllAsync(sockets[0], batch.AsMemory(0, frames * frame.Length), Scenarios.Stall))
                break;
            sent += frames;
        }

        context.Note($"sent {sent} of {count}{(sent < count ? " (then the server stopped reading)" : "")}");
        return () => Hostile.Close(sockets);
    }
}

/// <summary>Connections ask for 1 MiB responses (service 5, big) and never read them: the server's writes stall.</summary>
internal sealed class StoppedReader : Scenario
{
    public override string Name => "stopped-reader";

    public override string Describe(bool full) => $"{(full ? 4 : 1)} conns x {(full ? 64 : 16)} requests for 1 MiB responses, never read";

    public override async Task<Action> AttackAsync(ScenarioContext context)
    {
        var (connections, requests) = (context.Size(4, 1), context.Size(64, 16));
        var sockets = await Hostile.ConnectAsync(context.EndPoint, connections);
        var body = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(body, 1024 * 1024);
        long sent = 0;
        foreach (var socket in sockets)
        {
            for (var i = 0; i < requests; i++)
                sent += await Hostile.SendAllAsync(socket, Hostile.Frame(MessageHeader.Request((uint)i + 1, 5), body), Scenarios.Stall) ? 1 : 0;
        }

        context.Note($"{sent} requests sent; {sent} MiB of responses asked for");
        return () => Hostile.Close(sockets);
    }
}

/// <summary>
/// Connections send frames one byte per interval (a header that takes many seconds): a server with a frame timeout
/// closes them. Checks that every one was closed within the wait.
/// </summary>
internal sealed class SlowHeaders : Scenario
{
    public override string Name => "slow-headers";

    /// <summary>How long the slow connections are given to be closed (full mode; set with --slow-wait).</summary>
    public static TimeSpan FullWait { get; set; } = TimeSpan.FromSeconds(60);

    public override string Describe(bool full) =>
        full
            ? $"200 conns, 1 byte/s of frames, closed within {FullWait.TotalSeconds:F0} s? (frame timeout 10 s, the default)"
            : "20 conns, 1 byte/200 ms of frames for 3 s (frame timeout 1 s)";

    /// <summary>Full mode: the engine's default (10 s); the short mode cannot wait that out, so its server uses 1 s.</summary>
    public override TimeSpan? FrameTimeout(bool full) => full ? null : TimeSpan.FromSeconds(1);

    public override async Task<Action> AttackAsync(ScenarioContext context)
    {
        var count = context.Size(200, 20);
        var interval = context.Full ? TimeSpan.FromSeconds(1) : TimeSpan.FromMilliseconds(200);
        var wait = context.Full ? FullWait : TimeSpan.FromSeconds(3);
        var sockets = await Hostile.ConnectAsync(context.EndPoint, count);
        var frame = Hostile.Frame(MessageHeader.Stream(1), [1, 2, 3, 4]);
        using var stop = new CancellationTokenSource();
        var time = Stopwatch.StartNew();
        var closedAt = new TimeSpan?[count];
        var watchers = sockets.Select(async (socket, i) =>
        {
            try
            {
                await Hostile.WaitClosedAsync(socket, stop.Token);
                closedAt[i] = time.Elapsed;
            }
            catch (OperationCanceledException)
            {
                // Still open when the wait ended.
            }
        }).ToList();
        var allClosed = Task.WhenAll(watchers);
        for (var sent = 0; time.Elapsed < wait && !allClosed.IsCompleted; sent++)
        {
            for (var i = 0; i < count; i++)
            {
                if (closedAt[i] is null)
                    Hostile.TrySendNow(sockets[i], frame.AsSpan(sent % frame.Length, 1));
            }

            await Task.WhenAny(allClosed, Task.Delay(interval));
        }

        var closed = closedAt.Count(at => at is not null);
        var last = closedAt.Max() ?? TimeSpan.Zero;
        context.Note($"{closed} of {count} closed by the server{(closed > 0 ? $", the last after {last.TotalSeconds:F1} s" : "")}");
        context.Checks.Add(("closed", closed == count, $"{closed} of {count} closed within {wait.TotalSeconds:F0} s"));
        await stop.CancelAsync();
        return () =>
        {
            Hostile.Close(sockets);
            Task.WhenAll(watchers).Wait();
        };
    }
}

/// <summary>
/// Under a 256 MiB heap, connections each announce a 1 MiB request body and trickle it a byte per 100 ms; meanwhile an
/// honest client's 1 MiB echo must be served.
/// </summary>
internal sealed class TrickledBodies : Scenario
{
    public override string Name => "trickled-bodies";

    public override string? HeapHardLimit => Scenarios.ContainerHeap;

    public override string Describe(bool full) =>
        $"{(full ? 1000 : 100)} conns announce 1 MiB, trickle 1 B/100 ms for {(full ? 10 : 3)} s; heap limit 256 MiB; honest 1 MiB echo";

    public override async Task<Action> AttackAsync(ScenarioContext context)
    {
        var count = context.Size(1000, 100);
        var duration = TimeSpan.FromSeconds(context.Size(10, 3));
        var sockets = await Hostile.ConnectAsync(context.EndPoint, count);
        var announce = Hostile.Announce(MessageHeader.Request(1, 1), 1024 * 1024);
        var open = sockets.Select(socket => Hostile.TrySendNow(socket, announce)).ToArray();
        var honest = Task.Run(() => HonestEchoAsync(context));
        var time = Stopwatch.StartNew();
        while (time.Elapsed < duration || !honest.IsCompleted)
        {
            for (var i = 0; i < count; i++)
            {
                if (open[i])
                    open[i] = Hostile.TrySendNow(sockets[i], [7]);
            }

            await Task.Delay(100);
            if (time.Elapsed > duration + TimeSpan.FromSeconds(60))
                break; // the honest echo's own 30 s limit has long passed
        }

        var (served, why) = honest.IsCompleted ? await honest : (false, "still waiting");
        context.Note($"{open.Count(o => !o)} of {count} trickling conns closed by the server");
        context.Checks.Add(("honest", served, served ? "1 MiB echo served during the attack" : $"1 MiB echo not served: {why}"));
        return () => Hostile.Close(sockets);
    }

    private static async Task<(bool, string)> HonestEchoAsync(ScenarioContext context)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var body = Enumerable.Range(0, 1024 * 1024).Select(i => (byte)(i % 251)).ToArray();
            await using var peer = await TcpPeer.ConnectAsync(context.EndPoint, Samples.Conformance.Scenario.CreateStreamConfig(), cancellationToken: timeout.Token);
            await using var request = await peer.SendRequestAsync(1, new StreamBody(body), timeout.Token);
            var response = await request.ReceiveResponseAsync(timeout.Token);
            response.ThrowIfError();
            return response.Body.Span.SequenceEqual(body) ? (true, "") : (false, "the echo came back different");
        }
        catch (Exception error)
        {
            return (false, $"{error.GetType().Name}: {error.Message}");
        }
    }
}

/// <summary>Under a 256 MiB heap, many connections each make one echo and stay open.</summary>
internal sealed class ManyConnections : Scenario
{
    public override string Name => "many-connections";

    public override string? HeapHardLimit => Scenarios.ContainerHeap;

    public override string Describe(bool full) => $"{(full ? 2000 : 200)} conns, one echo each, held open; heap limit 256 MiB";

    public override async Task<Action> AttackAsync(ScenarioContext context)
    {
        var count = context.Size(2000, 200);
        var sockets = await Hostile.ConnectAsync(context.EndPoint, count);
        var frame = Hostile.Frame(MessageHeader.Request(1, 1), [1, 2, 3, 4]);
        var served = await Task.WhenAll(sockets.Select(async socket =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await socket.SendAsync(frame, SocketFlags.None, timeout.Token);
                var answer = new byte[frame.Length];
                for (var read = 0; read < answer.Length;)
                {
                    var n = await socket.ReceiveAsync(answer.AsMemory(read), SocketFlags.None, timeout.Token);
                    if (n == 0)
                        return false;
                    read += n;
                }

                return answer.AsSpan(StreamFraming.PrefixAndHeaderSize).SequenceEqual(frame.AsSpan(StreamFraming.PrefixAndHeaderSize));
            }
            catch (Exception error) when (error is SocketException or OperationCanceledException)
            {
                return false;
            }
        }));
        var ok = served.Count(s => s);
        context.Checks.Add(("served", ok == count, $"{ok} of {count} echoes served"));
        context.Note($"{ok} of {count} served");
        return () => Hostile.Close(sockets);
    }
}

/// <summary>Connections that reset (RST) in the middle of a frame: in the prefix, the header, a small and a large body.</summary>
internal sealed class ResetsMidFrame : Scenario
{
    public override string Name => "resets-mid-frame";

    public override string Describe(bool full) => $"{(full ? 2000 : 200)} conns reset mid-frame (prefix, header, small body, 128 KiB body)";

    public override async Task<Action> AttackAsync(ScenarioContext context)
    {
        var rounds = context.Size(2000, 200);
        byte[][] partials =
        [
            Hostile.Frame(MessageHeader.Request(1, 1), [1, 2])[..2],
            Hostile.Frame(MessageHeader.Request(1, 1), [1, 2])[..10],
            Hostile.Frame(MessageHeader.Request(1, 1), new byte[1024])[..600],
            Hostile.Frame(MessageHeader.Request(1, 1), new byte[128 * 1024])[..(32 * 1024)],
        ];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int round;
            while ((round = Interlocked.Increment(ref next)) < rounds)
            {
                var socket = (await Hostile.ConnectAsync(context.EndPoint, 1))[0];
                await socket.SendAsync(partials[round % partials.Length], SocketFlags.None);
                Hostile.Reset(socket);
            }
        }));
        context.Note($"{rounds} resets");
        return () => { };
    }
}
