using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Interop;

/// <summary>A generated client over a real socket whose far end is a raw socket the test plays as the server.</summary>
/// <typeparam name="TClient">The generated client type.</typeparam>
public sealed class RawServer<TClient> : IAsyncDisposable
    where TClient : IAsyncDisposable
{
    private RawServer(RawPeer raw, TClient client)
    {
        Raw = raw;
        Client = client;
    }

    /// <summary>The raw socket (the test's side) and the library's peer the client runs on.</summary>
    public RawPeer Raw { get; }

    public TClient Client { get; }

    public static async Task<RawServer<TClient>> StartAsync(LoopbackKind kind, Func<PeerHandle<StreamBody>, TClient> create)
    {
        var raw = await Loopback.RawAsync(kind);
        return new RawServer<TClient>(raw, create(raw.Peer));
    }

    /// <summary>Receives the next frame the client wrote, whole and exactly as written.</summary>
    public Task<byte[]> NextFrameAsync() => Raw.ReceiveFrameBytesAsync();

    public async ValueTask DisposeAsync()
    {
        // The raw end closes first (and drains), so the client's handles find the connection ended.
        await Raw.DisposeAsync();
        await Client.DisposeAsync().AsTask().WaitAsync(Loopback.Timeout);
    }
}
