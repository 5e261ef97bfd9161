using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Interop;

/// <summary>A generated server serving a real socket whose far end is a raw socket the test plays as the client.</summary>
public sealed class RawClient : IAsyncDisposable
{
    private RawClient(RawPeer raw, Task serve)
    {
        Raw = raw;
        Serve = serve;
    }

    public RawPeer Raw { get; }

    /// <summary>The running ServeAsync.</summary>
    public Task Serve { get; }

    public static async Task<RawClient> StartAsync(LoopbackKind kind, Func<PeerHandle<StreamBody>, Task> serve)
    {
        var raw = await Loopback.RawAsync(kind);
        return new RawClient(raw, serve(raw.Peer));
    }

    /// <summary>Sends bytes the test framed by hand.</summary>
    public Task SendAsync(byte[] frame) => Raw.SendAsync(frame);

    /// <summary>Receives the next frame the server wrote, whole and exactly as written.</summary>
    public Task<byte[]> NextFrameAsync() => Raw.ReceiveFrameBytesAsync();

    public async ValueTask DisposeAsync()
    {
        await Raw.DisposeAsync();
        await Task.WhenAny(Serve).WaitAsync(Loopback.Timeout);
        if (Serve.IsFaulted)
            Assert.Fail($"ServeAsync failed: {Serve.Exception!.InnerException}");
    }
}
