using System.Diagnostics;
using FizyrRpc;

/// <summary>
/// The raw PeerHandle client on one or more connections. Echo and updates: either one task per request in flight (each
/// sends its next request when its response is back), or pipelined: one task per connection keeps N requests in
/// flight through a FIFO of SentRequest handles, like the floor's one loop, so per-task scheduling is not measured.
/// One-way: one task sends stream messages as fast as the engine takes them and waits for the server's signal.
/// </summary>
internal sealed class EngineClient<TBody>(PeerHandle<TBody>[] peers, bool pipelined) : ILoadClient
    where TBody : IMessageBody<TBody>
{
    public async Task<long[]> RunAsync(LoadSpec spec)
    {
        if (spec.Mode == LoadMode.OneWay)
        {
            await SendOneWayAsync(peers[0], spec);
            return [];
        }

        var payload = new byte[spec.BodySize];
        var latencies = new long[spec.Requests];
        var loads = new List<Task>();
        var offset = 0;
        for (var c = 0; c < peers.Length; c++)
        {
            var peer = peers[c];
            var slice = new ArraySegment<long>(latencies, offset, spec.RequestsOf(c));
            offset += slice.Count;
            if (pipelined)
                loads.Add(PipelinedAsync(peer, payload, spec.InFlight, slice));
            else
                loads.Add(Workers.RunAsync(spec.InFlight, slice, () => RequestAsync(peer, payload)));
        }

        await Task.WhenAll(loads);
        return latencies;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var peer in peers)
        {
            await peer.CloseAsync();
            await peer.DisposeAsync();
        }
    }

    private static async Task RequestAsync(PeerHandle<TBody> peer, byte[] payload)
    {
        var request = await peer.SendRequestAsync(1, TBody.FromBytes(payload));
        while (await request.ReceiveUpdateAsync() is { } update)
            update.Body.Dispose();
        using var response = (await request.ReceiveResponseAsync()).Body;
    }

    // One task, N requests outstanding: send N, then await the oldest and send one more for each that completes.
    private static async Task PipelinedAsync(PeerHandle<TBody> peer, byte[] payload, int inFlight, ArraySegment<long> latencies)
    {
        var pending = new Queue<(SentRequest<TBody> Request, long Started)>(inFlight);
        var sent = 0;
        for (var done = 0; done < latencies.Count; done++)
        {
            while (sent < latencies.Count && pending.Count < inFlight)
            {
                pending.Enqueue((await peer.SendRequestAsync(1, TBody.FromBytes(payload)), Stopwatch.GetTimestamp()));
                sent++;
            }

            var (request, started) = pending.Dequeue();
            while (await request.ReceiveUpdateAsync() is { } update)
                update.Body.Dispose();
            using (var response = (await request.ReceiveResponseAsync()).Body)
                latencies[done] = Stopwatch.GetTimestamp() - started;
        }
    }

    private static async Task SendOneWayAsync(PeerHandle<TBody> peer, LoadSpec spec)
    {
        var stamps = new OneWayStamp(spec.BodySize);
        for (var i = 0; i < spec.Requests; i++)
            await peer.SendStreamAsync(1, TBody.FromBytes(stamps.NextBody()));

        // The server sends one stream message back when it has counted them all.
        var signal = await peer.ReceiveMessageAsync();
        signal.Message.Body.Dispose();
    }
}
