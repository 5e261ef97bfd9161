using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>A typed client connected to a typed server over a loopback pair; disposing stops both and waits for ServeAsync.</summary>
public sealed class ServedPair : IAsyncDisposable
{
    private ServedPair(PeerPair pair, TestServer server, Task serve, TestClient client)
    {
        Pair = pair;
        Server = server;
        Serve = serve;
        Client = client;
    }

    public PeerPair Pair { get; }

    public TestServer Server { get; }

    /// <summary>The running <see cref="RpcServerBase{TBody}.ServeAsync"/>.</summary>
    public Task Serve { get; }

    public TestClient Client { get; }

    public static async Task<ServedPair> StartAsync(
        LoopbackKind kind,
        TestServer? server = null,
        IRpcFormat? clientFormat = null,
        CancellationToken serveToken = default)
    {
        var pair = await Loopback.PairAsync(kind);
        server ??= new TestServer();
        var serve = server.ServeAsync(pair.Server, serveToken);
        return new ServedPair(pair, server, serve, new TestClient(pair.Client, clientFormat ?? server.Format));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Server.WaitGate.TrySetResult(); // never leave a handler waiting
            await Client.DisposeAsync().AsTask().WaitAsync(Loopback.Timeout);
            await Task.WhenAny(Serve).WaitAsync(Loopback.Timeout);
            if (Serve.IsFaulted)
                Assert.Fail($"ServeAsync failed: {Serve.Exception!.InnerException}");
        }
        finally
        {
            await Pair.DisposeAsync();
        }
    }
}

/// <summary>A typed server serving a raw socket the test drives byte by byte.</summary>
public sealed class ServedRaw : IAsyncDisposable
{
    private ServedRaw(RawPeer raw, TestServer server, Task serve)
    {
        Raw = raw;
        Server = server;
        Serve = serve;
    }

    public RawPeer Raw { get; }

    public TestServer Server { get; }

    public Task Serve { get; }

    public static async Task<ServedRaw> StartAsync(LoopbackKind kind, TestServer? server = null)
    {
        var raw = await Loopback.RawAsync(kind);
        server ??= new TestServer();
        return new ServedRaw(raw, server, server.ServeAsync(raw.Peer));
    }

    public async ValueTask DisposeAsync()
    {
        Server.WaitGate.TrySetResult();
        await Raw.DisposeAsync();
        await Task.WhenAny(Serve).WaitAsync(Loopback.Timeout);
        if (Serve.IsFaulted)
            Assert.Fail($"ServeAsync failed: {Serve.Exception!.InnerException}");
    }
}

/// <summary>A typed client talking to a raw socket the test drives as the server.</summary>
public sealed class RawServedClient : IAsyncDisposable
{
    private RawServedClient(RawPeer raw, TestClient client)
    {
        Raw = raw;
        Client = client;
    }

    public RawPeer Raw { get; }

    public TestClient Client { get; }

    public static async Task<RawServedClient> StartAsync(LoopbackKind kind, IRpcFormat? format = null)
    {
        var raw = await Loopback.RawAsync(kind);
        return new RawServedClient(raw, new TestClient(raw.Peer, format));
    }

    public async ValueTask DisposeAsync()
    {
        // The raw end closes the connection first (draining), so the client's handles find it ended.
        await Raw.DisposeAsync();
        await Client.DisposeAsync().AsTask().WaitAsync(Loopback.Timeout);
    }
}
