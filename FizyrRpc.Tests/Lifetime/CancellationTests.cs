using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// Every wait ends with <see cref="OperationCanceledException"/> when its token is cancelled, takes nothing with it,
/// and the connection goes on working.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class CancellationTests(LoopbackKind kind)
{
    [Test]
    public async Task ReceiveMessageAsync()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        using var cancel = new CancellationTokenSource();

        var wait = local.ReceiveMessageAsync(cancel.Token).AsTask();
        Assert.That(wait.IsCompleted, Is.False);
        await cancel.CancelAsync();
        await Await.ThrowsAsync<OperationCanceledException>(() => wait);

        await remote.SendStreamAsync(4, StreamBody.FromString("after"));
        var next = await local.ReceiveMessageAsync().WithTimeout();
        Assert.That(next.Message.Body.ToUtf8String(), Is.EqualTo("after"), "the cancelled wait took nothing");
        await ConnectionAssert.WorksAsync(local, remote);
    }

    [Test]
    public async Task ReceiveMessageAsyncWithATokenAlreadyCancelled()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        await remote.SendStreamAsync(4, StreamBody.FromString("queued"));
        var queued = await local.ReceiveMessageAsync().WithTimeout();
        Assert.That(queued.IsStream, Is.True);

        await Await.ThrowsAsync<OperationCanceledException>(() => local.ReceiveMessageAsync(new CancellationToken(true)).AsTask());
        await ConnectionAssert.WorksAsync(local, remote);
    }

    [Test]
    public async Task SentRequestReceiveUpdateAsync()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var sent = await local.SendRequestAsync(1, StreamBody.FromString("q"));
        var atRemote = (await remote.ReceiveMessageAsync().WithTimeout()).Request!;
        using var cancel = new CancellationTokenSource();

        var wait = sent.ReceiveUpdateAsync(cancel.Token).AsTask();
        Assert.That(wait.IsCompleted, Is.False);
        await cancel.CancelAsync();
        await Await.ThrowsAsync<OperationCanceledException>(() => wait);

        await atRemote.SendUpdateAsync(2, StreamBody.FromString("progress"));
        await atRemote.SendResponseAsync(1, StreamBody.FromString("done"));
        var update = await sent.ReceiveUpdateAsync().WithTimeout();
        Assert.That(update?.Body.ToUtf8String(), Is.EqualTo("progress"));
        Assert.That((await sent.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("done"));
        await ConnectionAssert.WorksAsync(local, remote);
    }

    [Test]
    public async Task SentRequestReceiveResponseAsync()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var sent = await local.SendRequestAsync(1, StreamBody.FromString("q"));
        var atRemote = (await remote.ReceiveMessageAsync().WithTimeout()).Request!;
        using var cancel = new CancellationTokenSource();

        var wait = sent.ReceiveResponseAsync(cancel.Token).AsTask();
        Assert.That(wait.IsCompleted, Is.False);
        await cancel.CancelAsync();
        await Await.ThrowsAsync<OperationCanceledException>(() => wait);
        Assert.That(local.OpenSentRequests, Is.EqualTo(1), "a cancelled wait does not give up the request");

        await atRemote.SendResponseAsync(1, StreamBody.FromString("done"));
        Assert.That((await sent.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("done"));
        await ConnectionAssert.WorksAsync(local, remote);
    }

    [Test]
    public async Task ReceivedRequestReceiveUpdateAsync()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var sent = await remote.SendRequestAsync(1, StreamBody.FromString("q"));
        var received = (await local.ReceiveMessageAsync().WithTimeout()).Request!;
        using var cancel = new CancellationTokenSource();

        var wait = received.ReceiveUpdateAsync(cancel.Token).AsTask();
        Assert.That(wait.IsCompleted, Is.False);
        await cancel.CancelAsync();
        await Await.ThrowsAsync<OperationCanceledException>(() => wait);

        await sent.SendUpdateAsync(2, StreamBody.FromString("more"));
        var update = await received.ReceiveUpdateAsync().WithTimeout();
        Assert.That(update?.Body.ToUtf8String(), Is.EqualTo("more"));
        await received.SendResponseAsync(1, StreamBody.FromString("done"));
        Assert.That((await sent.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("done"));
        await ConnectionAssert.WorksAsync(local, remote);
    }

    [Test]
    public async Task SendRequestAsyncWhileTheOutgoingQueueIsFull()
    {
        var options = new PeerOptions { OutgoingQueueCapacity = 2 };
        var (raw, buffers) = await SmallBufferPeer.ConnectAsync(kind, options);
        await using var _ = raw;
        var local = raw.Peer;

        // The last sends wait for room, in order, ahead of the request below.
        var streams = Flood.FillOutgoing(local, buffers, options);
        using var cancel = new CancellationTokenSource();
        var request = local.SendRequestAsync(9, StreamBody.FromString("never sent"), cancel.Token).AsTask();
        Assert.That(request.IsCompleted, Is.False);
        await cancel.CancelAsync();
        await Await.ThrowsAsync<OperationCanceledException>(() => request);
        Assert.That(local.OpenSentRequests, Is.Zero, "the cancelled request gave its ID back");

        // The raw side reads: every stream arrives in order, the cancelled request never does.
        for (var i = 0; i < streams.Count; i++)
        {
            var (header, body) = await raw.ReceiveMessageAsync();
            Assert.That(header, Is.EqualTo(MessageHeader.Stream(5)), $"frame {i}");
            Assert.That(Flood.Number(body), Is.EqualTo(i));
        }

        await Task.WhenAll(streams).WithTimeout();
        var sent = await local.SendRequestAsync(10, StreamBody.FromString("after"));
        var (requestHeader, requestBody) = await raw.ReceiveMessageAsync();
        Assert.That(requestHeader, Is.EqualTo(MessageHeader.Request(sent.RequestId, 10)));
        Assert.That(requestBody, Is.EqualTo("after"u8.ToArray()));
        await raw.SendFrameAsync(MessageHeader.Response(sent.RequestId, 10), "ok"u8);
        Assert.That((await sent.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("ok"));
    }
}
