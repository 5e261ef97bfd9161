using System.Diagnostics;
using System.Net;
using FizyrRpc.Transports;

namespace FizyrRpc.Benchmarks.Reliability;

/// <summary>
/// An honest client on its own connection: echo round trips (service 1, 1 KiB) one after another, paced every 50 ms,
/// for as long as the attack lasts. Each round trip may take up to 30 s, a liveness bound, not a timing judged.
/// </summary>
internal sealed class Canary : IAsyncDisposable
{
    private static readonly TimeSpan RoundTripLimit = TimeSpan.FromSeconds(30);
    private readonly PeerHandle<StreamBody> _peer;
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _body = Enumerable.Range(0, 1024).Select(i => (byte)i).ToArray();
    private Task _loop = Task.CompletedTask;
    private long _served;
    private long _longestTicks;

    private Canary(PeerHandle<StreamBody> peer)
    {
        _peer = peer;
    }

    /// <summary>Round trips that came back right.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Why the canary stopped being served, if it did.</summary>
    public string? Failure { get; private set; }

    /// <summary>The longest round trip, reported (never judged).</summary>
    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    /// <summary>Connects, does a few round trips to warm up, and starts the paced loop.</summary>
    public static async Task<Canary> StartAsync(IPEndPoint server)
    {
        var canary = new Canary(await TcpPeer.ConnectAsync(server));
        for (var i = 0; i < 20; i++)
            await canary.RoundTripAsync();
        canary._loop = Task.Run(canary.LoopAsync);
        return canary;
    }

    /// <summary>Waits until <paramref name="count"/> more round trips have come back (true), or the canary failed or 30 s passed (false).</summary>
    public async Task<bool> WaitServedAsync(int count)
    {
        var target = Served + count;
        var limit = Stopwatch.StartNew();
        while (Served < target && Failure is null && limit.Elapsed < RoundTripLimit)
            await Task.Delay(20);
        return Served >= target && Failure is null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _peer.DisposeAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await RoundTripAsync();
                await Task.Delay(50, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            Failure = $"{error.GetType().Name}: {error.Message}";
        }
    }

    private async Task RoundTripAsync()
    {
        var time = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(RoundTripLimit);
        try
        {
            await using var request = await _peer.SendRequestAsync(1, new StreamBody(_body), timeout.Token);
            var response = await request.ReceiveResponseAsync(timeout.Token);
            response.ThrowIfError();
            if (!response.Body.Span.SequenceEqual(_body))
                throw new InvalidDataException("the echo came back different");
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {RoundTripLimit.TotalSeconds} s");
        }

        Interlocked.Increment(ref _served);
        var ticks = time.Elapsed.Ticks;
        if (ticks > Interlocked.Read(ref _longestTicks))
            Interlocked.Exchange(ref _longestTicks, ticks);
    }
}
