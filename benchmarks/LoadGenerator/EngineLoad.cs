using System.Buffers;
using System.Diagnostics;
using FizyrRpc;
using FizyrRpc.Transports;

/// <summary>
/// Our engine's side of every load: listeners and connections per transport, and the server that answers the raw
/// PeerHandle loads (echo in order on the read task, updates then response, or counting one-way stream messages).
/// </summary>
internal static class EngineLoad
{
    private const int StreamService = 1;

    public static StreamConfig StreamConfigFor(int bodySize)
    {
        // Bodies larger than the default limit (the 1 MiB case) need a larger one on both sides.
        var limit = Math.Max(bodySize, StreamConfig.DefaultMaxBodyLength);
        // Large received bodies are rented (and given back once echoed or read), as README's "Large bodies" advises.
        return new StreamConfig { MaxBodyLengthRead = limit, MaxBodyLengthWrite = limit, LargeBodyPool = ArrayPool<byte>.Shared };
    }

    public static UnixConfig SeqpacketConfigFor(int bodySize)
    {
        var limit = Math.Max(bodySize, UnixConfig.DefaultMaxBodyLength);
        return new UnixConfig { MaxBodyLengthRead = limit, MaxBodyLengthWrite = limit };
    }

    /// <summary>Starts the server of a scenario; <paramref name="serve"/> answers one accepted connection.</summary>
    public static async Task<ILoadServer> StartServerAsync(string transport, string path, LoadSpec spec, Func<object, OneWayCounter, Task>? serve = null)
    {
        var counter = new OneWayCounter(spec);
        return transport switch
        {
            "tcp" => Start<StreamBody, TcpConnectionInfo, TcpPeerListener>(await TcpPeer.BindAsync("127.0.0.1:0", StreamConfigFor(spec.BodySize)), l => l.LocalEndPoint.ToString()),
            "unix-stream" => Start<StreamBody, UnixConnectionInfo, UnixStreamPeerListener>(await UnixStreamPeer.BindAsync(path, StreamConfigFor(spec.BodySize)), _ => path),
            "unix-seqpacket" => Start<UnixBody, UnixConnectionInfo, UnixSeqpacketPeerListener>(await UnixSeqpacketPeer.BindAsync(path, SeqpacketConfigFor(spec.BodySize)), _ => path),
            _ => throw new ArgumentException($"Not an engine transport: '{transport}'.", nameof(transport)),
        };

        ILoadServer Start<TBody, TInfo, TListener>(TListener listener, Func<TListener, string> address)
            where TBody : IMessageBody<TBody>
            where TInfo : ConnectionInfo
            where TListener : PeerListener<TBody, TInfo> =>
            new Server<TBody, TInfo>(listener, address(listener), spec, counter, serve ?? ((peer, c) => ServeAsync((PeerHandle<TBody>)peer, spec.Mode, c)));
    }

    /// <summary>Connects <see cref="LoadSpec.Connections"/> peers and hands them to <paramref name="client"/>.</summary>
    public static async Task<ILoadClient> ConnectAsync(string transport, string address, LoadSpec spec, Func<object[], ILoadClient> client)
    {
        var peers = new object[spec.Connections];
        for (var i = 0; i < peers.Length; i++)
        {
            peers[i] = transport switch
            {
                "tcp" => await TcpPeer.ConnectAsync(address, StreamConfigFor(spec.BodySize)),
                "unix-stream" => await UnixStreamPeer.ConnectAsync(address, StreamConfigFor(spec.BodySize)),
                "unix-seqpacket" => await UnixSeqpacketPeer.ConnectAsync(address, SeqpacketConfigFor(spec.BodySize)),
                _ => throw new ArgumentException($"Not an engine transport: '{transport}'.", nameof(transport)),
            };
        }

        return client(peers);
    }

    /// <summary>The raw PeerHandle client: one task per request in flight, or one pipelined task per connection.</summary>
    public static Task<ILoadClient> ConnectRawAsync(string transport, string address, LoadSpec spec, bool pipelined) =>
        ConnectAsync(transport, address, spec, peers => transport == "unix-seqpacket"
            ? new EngineClient<UnixBody>(peers.Cast<PeerHandle<UnixBody>>().ToArray(), pipelined)
            : new EngineClient<StreamBody>(peers.Cast<PeerHandle<StreamBody>>().ToArray(), pipelined));

    private static async Task ServeAsync<TBody>(PeerHandle<TBody> server, LoadMode mode, OneWayCounter counter)
        where TBody : IMessageBody<TBody>
    {
        await foreach (var message in server.ReadMessagesAsync())
        {
            if (message.Request is { } request)
            {
                // Answered in order on the read task: no task per request, like the floor's one loop.
                if (mode == LoadMode.Updates)
                {
                    for (var i = 0; i < LoadSpec.UpdatesPerRequest; i++)
                        await request.SendUpdateAsync(0, TBody.FromBytes(request.Body.Data));
                }

                await request.SendResponseAsync(0, request.Body);
            }
            else if (message.TryGetStream(out var stream))
            {
                using var body = stream.Body;
                if (counter.Count(Stopwatch.GetTimestamp() - OneWayStamp.Read(body.Data.Span)))
                    await server.SendStreamAsync(StreamService, TBody.FromBytes(Array.Empty<byte>()));
            }
        }
    }

    private sealed class Server<TBody, TInfo>(
        PeerListener<TBody, TInfo> listener, string address, LoadSpec spec, OneWayCounter counter, Func<object, OneWayCounter, Task> serve) : ILoadServer
        where TBody : IMessageBody<TBody>
        where TInfo : ConnectionInfo
    {
        private readonly Task _serving = ServeAllAsync(listener, spec.Connections, counter, serve);

        public string Address => address;

        public Task MarkAsync() => Task.CompletedTask;

        public long[] TakeOneWayLatencies() => counter.TakeLatencies();

        public async Task<ServerCost> StopAsync()
        {
            // Listening stops first: accepted connections go on, and an accept still waiting (a client that never came) ends.
            await listener.DisposeAsync();
            await _serving;
            return ServerCost.InProcess;
        }

        private static async Task ServeAllAsync(PeerListener<TBody, TInfo> listener, int connections, OneWayCounter counter, Func<object, OneWayCounter, Task> serve)
        {
            var serving = new List<Task>();
            for (var i = 0; i < connections; i++)
            {
                var (peer, _) = await listener.AcceptAsync();
                serving.Add(ServeOneAsync(peer));
            }

            await Task.WhenAll(serving);

            async Task ServeOneAsync(PeerHandle<TBody> peer)
            {
                await using (peer)
                    await serve(peer, counter);
            }
        }
    }
}
