using System.Diagnostics;
using FizyrRpc;
using FizyrRpc.Transports;

/// <summary>The echo over our engine: one connection, the server answers in order on its read task.</summary>
internal static class EngineLoad
{
    public static async Task<LoadResult> RunAsync(string transport, string path, int inFlight, int requests, int bodySize)
    {
        // Bodies larger than the default limit (the 1 MiB case) need a larger one on both sides.
        var limit = Math.Max(bodySize, StreamConfig.DefaultMaxBodyLength);
        var stream = new StreamConfig { MaxBodyLengthRead = limit, MaxBodyLengthWrite = limit };
        return transport switch
        {
            "tcp" => await RunAsync(
                transport, inFlight, requests, bodySize,
                await TcpPeer.BindAsync("127.0.0.1:0", stream),
                listener => TcpPeer.ConnectAsync(((TcpPeerListener)listener).LocalEndPoint, stream)),
            "unix-stream" => await RunAsync(
                transport, inFlight, requests, bodySize,
                await UnixStreamPeer.BindAsync(path, stream),
                _ => UnixStreamPeer.ConnectAsync(path, stream)),
            "unix-seqpacket" => await RunAsync(
                transport, inFlight, requests, bodySize,
                await UnixSeqpacketPeer.BindAsync(path, SeqpacketConfig(bodySize)),
                _ => UnixSeqpacketPeer.ConnectAsync(path, SeqpacketConfig(bodySize))),
            _ => throw new ArgumentException($"Not an engine transport: '{transport}'.", nameof(transport)),
        };
    }

    private static UnixConfig SeqpacketConfig(int bodySize)
    {
        var limit = Math.Max(bodySize, UnixConfig.DefaultMaxBodyLength);
        return new UnixConfig { MaxBodyLengthRead = limit, MaxBodyLengthWrite = limit };
    }

    private static async Task<LoadResult> RunAsync<TBody, TInfo>(
        string transport,
        int inFlight,
        int requests,
        int bodySize,
        PeerListener<TBody, TInfo> listener,
        Func<PeerListener<TBody, TInfo>, Task<PeerHandle<TBody>>> connect)
        where TBody : IMessageBody<TBody>
        where TInfo : ConnectionInfo
    {
        await using (listener)
        {
            var accept = listener.AcceptAsync().AsTask();
            await using var client = await connect(listener);
            var (server, _) = await accept;
            await using (server)
            {
                var serving = ServeAsync(server);
                var payload = TBody.FromBytes(new byte[bodySize]);

                // Warm-up, then the measured run.
                var warmUp = Math.Min(requests / 10, 20_000);
                await LoadAsync(client, payload, inFlight, new long[warmUp]);
                var latencies = new long[requests];
                var meter = Meter.Start();
                await LoadAsync(client, payload, inFlight, latencies);
                var result = meter.Stop(transport, inFlight, bodySize, latencies);

                await client.CloseAsync();
                await serving;
                return result;
            }
        }
    }

    // One task per request in flight, each sending its next request when its response is back.
    private static async Task LoadAsync<TBody>(PeerHandle<TBody> client, TBody payload, int inFlight, long[] latencies)
        where TBody : IMessageBody<TBody>
    {
        var next = -1;
        var workers = new Task[inFlight];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < latencies.Length)
                {
                    var started = Stopwatch.GetTimestamp();
                    var request = await client.SendRequestAsync(1, TBody.FromBytes(payload.Data));
                    using var response = (await request.ReceiveResponseAsync()).Body;
                    latencies[index] = Stopwatch.GetTimestamp() - started;
                }
            });
        }

        await Task.WhenAll(workers);
    }

    private static async Task ServeAsync<TBody>(PeerHandle<TBody> server)
        where TBody : IMessageBody<TBody>
    {
        await foreach (var message in server.ReadMessagesAsync())
        {
            if (message.Request is { } request)
                await request.SendResponseAsync(0, request.Body); // answered in order on the read task: no task per request
        }
    }
}
