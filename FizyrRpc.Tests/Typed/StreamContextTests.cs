using FizyrRpc.Tests.Interop;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Tests.Typed.Strict;

namespace FizyrRpc.Tests.Typed;

/// <summary>
/// Typed streams over real sockets: a server's stream handler answers a stream with a stream on the same connection and
/// sees the connection's token; a client whose streams nobody reads keeps its calls going, keeping the newest unread
/// streams within its bound and counting the ones it drops.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class StreamContextTests(LoopbackKind kind)
{
    [Test]
    public async Task AStreamHandlerAnswersWithAStreamOnTheSameConnection()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var server = new StrictServer();
        var serve = server.ServeAsync(pair.Server);
        await using (var client = new IStrict.Client(pair.Client))
        {
            await using var streams = client.ReadStreamsAsync().GetAsyncEnumerator();
            await client.NoticeAsync(new ShotResult(100)).Within();
            Assert.That(await streams.NextAsync(), Is.EqualTo(new IStrict.StreamMessage.Notice(new ShotResult(101))));
        }

        await serve.Within();
    }

    [Test]
    public async Task AStreamHandlersTokenIsCancelledWhenTheConnectionCloses()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var server = new StrictServer();
        var serve = server.ServeAsync(pair.Server);
        var client = new IStrict.Client(pair.Client);
        await client.NoticeAsync(new ShotResult(-1)).Within();
        var token = await server.StreamToken.Task.Within();
        Assert.That(token.IsCancellationRequested, Is.False);

        await client.DisposeAsync().AsTask().Within();
        await TestWaits.ThrowsAsync<TaskCanceledException>(() => Task.Delay(Timeout.Infinite, token));
        await serve.Within();
    }

    [Test]
    public async Task ThreeHundredUnreadStreamsNeverStallACall()
    {
        const int sent = 300;
        await using var raw = await RawServer<IStrict.Client>.StartAsync(kind, peer => new IStrict.Client(peer));
        for (var i = 0; i < sent; i++)
            await raw.Raw.SendAsync(HandWire.Stream(20, MessagePackFormat.Default.Encode(new ShotResult(i)).ToArray()));

        // More streams than any queue holds, and nobody reads them: the call still gets its response.
        var call = raw.Client.NameAsync("after the flood");
        var request = await raw.NextFrameAsync().Within();
        await raw.Raw.SendAsync(HandWire.Response(HandWire.RequestIdOf(request), 3, MessagePackFormat.Default.Encode("done").ToArray()));
        Assert.That(await call.Within(), Is.EqualTo("done"));

        // A request from the remote is answered in the order it came, so once its answer is here every stream before
        // it has been kept or dropped.
        await raw.Raw.SendAsync(HandWire.Request(77, 1, 0xc0));
        Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(HandWire.ErrorResponse(77, "unexpected request for service 1")));
        Assert.That(raw.Client.DroppedStreamCount, Is.EqualTo(sent - RpcClientBase<StreamBody>.MaxUnreadStreams));

        // The oldest were dropped; the newest are read in order.
        await using var streams = raw.Client.ReadStreamsAsync().GetAsyncEnumerator();
        for (var i = sent - RpcClientBase<StreamBody>.MaxUnreadStreams; i < sent; i++)
            Assert.That(await streams.NextAsync(), Is.EqualTo(new IStrict.StreamMessage.Notice(new ShotResult(i))));
    }
}
