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
        return await Workers.PerConnectionAsync(peers, spec, (peer, latencies) => pipelined
            ? PipelinedAsync(peer, payload, spec.InFlight, latencies)
            : Workers.RunAsync(spec.InFlight, latencies, () => RequestAsync(peer, payload)));
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
