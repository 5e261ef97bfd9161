using FizyrRpc;
using FizyrRpc.Transports;
using LoadGenerator.Typed;

/// <summary>
/// The echo through the generated typed client and server base (MessagePack bodies): what an application pays on top of
/// the raw PeerHandle path. The client issues calls from one task per request in flight, like the raw engine client.
/// </summary>
internal static class TypedLoad
{
    public static Task<ILoadServer> StartServerAsync(string transport, string path, LoadSpec spec) =>
        EngineLoad.StartServerAsync(transport, path, spec, (peer, _) => peer switch
        {
            PeerHandle<StreamBody> stream => new TypedEchoServer<StreamBody>().ServeAsync(stream),
            PeerHandle<UnixBody> unix => new TypedEchoServer<UnixBody>().ServeAsync(unix),
            _ => throw new ArgumentException($"Unexpected peer {peer}.", nameof(peer)),
        });

    public static Task<ILoadClient> ConnectAsync(string transport, string address, LoadSpec spec) =>
        EngineLoad.ConnectAsync(transport, address, spec, peers => transport == "unix-seqpacket"
            ? new Client<UnixBody>(peers.Select(p => new ITypedEcho.Client<UnixBody>((PeerHandle<UnixBody>)p)).ToArray())
            : new Client<StreamBody>(peers.Select(p => new ITypedEcho.Client((PeerHandle<StreamBody>)p)).ToArray()));

    private sealed class Client<TBody>(ITypedEcho.Client<TBody>[] clients) : ILoadClient
        where TBody : IMessageBody<TBody>
    {
        public async Task<long[]> RunAsync(LoadSpec spec)
        {
            if (spec.Mode != LoadMode.Echo)
                throw new ArgumentException("The typed client runs the echo only.", nameof(spec));
            var payload = new byte[spec.BodySize];
            return await Workers.PerConnectionAsync(
                clients, spec, (client, latencies) => Workers.RunAsync(spec.InFlight, latencies, () => client.EchoAsync(payload)));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in clients)
            {
                await client.CloseAsync();
                await client.DisposeAsync();
            }
        }
    }
}
