using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// The remote ends the connection (a peer disposing its handle, a raw socket closing or resetting): every pending wait
/// of ours ends promptly with the reason, and what was already queued for us stays readable.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class RemoteCloseTests(LoopbackKind kind)
{
    [Test]
    public async Task RemotePeerDisposed_EveryPendingWaitFailsWithClosedByRemote()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var awaitingResponse = await local.SendRequestAsync(1, StreamBody.FromString("a"));
        var awaitingUpdate = await local.SendRequestAsync(2, StreamBody.FromString("b"));
        // The remote takes both requests and keeps them open: unread ones would be answered when it disposes.
        await remote.ReceiveMessageAsync().WithTimeout();
        await remote.ReceiveMessageAsync().WithTimeout();
        await remote.SendRequestAsync(3, StreamBody.FromString("c"));
        var received = (await local.ReceiveMessageAsync().WithTimeout()).Request!;

        var waits = PendingWaits.Start(local, awaitingResponse, awaitingUpdate, received);
        waits.AssertPending();
        await remote.DisposeAsync().WithTimeout();

        await waits.AssertClosedAsync(CloseReason.ClosedByRemote);
        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedByRemote);
        Assert.That(local.OpenSentRequests, Is.Zero);
        Assert.That(local.OpenReceivedRequests, Is.Zero);
    }

    [Test]
    public async Task RawRemoteClosed_EveryPendingWaitFailsWithClosedByRemote()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var local = raw.Peer;
        var waits = await StartWaitsAgainstRawAsync(raw, readOurRequests: true);

        // Everything we sent was read, so this is an orderly end of stream, not a reset.
        raw.Socket.Shutdown(SocketShutdown.Both);
        raw.Socket.Close();

        await waits.AssertClosedAsync(CloseReason.ClosedByRemote);
        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedByRemote);
    }

    [Test]
    public async Task RawRemoteReset_EveryPendingWaitFailsWithTransportError()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var local = raw.Peer;
        var waits = await StartWaitsAgainstRawAsync(raw, readOurRequests: false);

        // Unread data and a zero linger: TCP sends a reset; a Unix socket reports ECONNRESET to the other end.
        Assert.That(raw.Socket.Poll(Loopback.Timeout, SelectMode.SelectRead), Is.True, "our requests reached the raw socket");
        raw.Socket.LingerState = new LingerOption(true, 0);
        raw.Socket.Close();

        var errors = await waits.AssertClosedAsync(CloseReason.TransportError);
        Assert.That(errors[0].InnerException, Is.Not.Null, "a transport error carries its cause");
        await ConnectionAssert.EndedAsync(local, CloseReason.TransportError);
    }

    [Test]
    public async Task RawRemoteResetWhileOurSendsWaitForRoom()
    {
        var options = new PeerOptions { OutgoingQueueCapacity = 2 };
        var (raw, buffers) = await SmallBufferPeer.ConnectAsync(kind, options);
        await using var _ = raw;
        var local = raw.Peer;
        var sends = Flood.FillOutgoing(local, buffers, options);

        raw.Socket.LingerState = new LingerOption(true, 0);
        raw.Socket.Close();

        // The kernel reports the reset once, to whichever call asks first: usually the blocked send (a transport
        // error), after which the read sees a plain end of stream (closed by the remote). Either reason is right; what
        // matters is that the connection ends and every waiting sender is released with it.
        await local.Completion.WithTimeout();
        var reason = local.CloseError!.Reason;
        Assert.That(reason, Is.AnyOf(CloseReason.TransportError, CloseReason.ClosedByRemote), local.CloseError.ToString());
        Assert.That(local.ConnectionClosed.IsCancellationRequested, Is.True);
        await Await.ClosedAsync(sends[^1], reason);
        await Await.ClosedAsync(() => local.SendStreamAsync(1, StreamBody.Empty).AsTask(), reason);
    }

    [Test]
    public async Task QueuedMessagesStayReadableAfterTheRemoteClosed()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        await remote.SendStreamAsync(5, StreamBody.FromString("first"));
        await remote.SendRequestAsync(6, StreamBody.FromString("second"));
        await remote.DisposeAsync().WithTimeout();
        await local.Completion.WithTimeout();

        var stream = await local.ReceiveMessageAsync().WithTimeout();
        Assert.That(stream.IsStream, Is.True);
        Assert.That(stream.Message.Body.ToUtf8String(), Is.EqualTo("first"));
        var request = await local.ReceiveMessageAsync().WithTimeout();
        Assert.That(request.IsRequest, Is.True);
        Assert.That(request.Request!.Body.ToUtf8String(), Is.EqualTo("second"));
        Assert.That(request.Request.IsClosed, Is.True, "the connection that carried it has ended");
        await Await.ClosedAsync(() => request.Request.SendResponseAsync(6, StreamBody.Empty).AsTask(), CloseReason.ClosedByRemote);
        await Await.ClosedAsync(() => local.ReceiveMessageAsync().AsTask(), CloseReason.ClosedByRemote);
    }

    [Test]
    public async Task ReadMessagesAsyncEndsQuietlyWhenTheRemoteCloses()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var reading = CollectAsync(local);
        await remote.SendStreamAsync(1, StreamBody.FromString("one"));
        await remote.SendStreamAsync(2, StreamBody.FromString("two"));
        await remote.DisposeAsync().WithTimeout();

        var messages = await reading.WithTimeout();
        Assert.That(messages, Is.EqualTo(new[] { "one", "two" }));
        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedByRemote);
    }

    [Test]
    public async Task ReadMessagesAsyncEndsQuietlyWhenClosedLocally()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        await using var messages = local.ReadMessagesAsync().GetAsyncEnumerator();
        await remote.SendStreamAsync(1, StreamBody.FromString("one"));
        Assert.That(await messages.MoveNextAsync().AsTask().WithTimeout(), Is.True);
        Assert.That(messages.Current.Message.Body.ToUtf8String(), Is.EqualTo("one"));

        var next = messages.MoveNextAsync().AsTask();
        Assert.That(next.IsCompleted, Is.False);
        await local.CloseAsync().WithTimeout();

        Assert.That(await next.WithTimeout(), Is.False, "the enumeration ends without an exception");
        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedLocally);
    }

    /// <summary>
    /// Our two requests (the raw side reads them, or leaves them unread), and one request from the raw side that we
    /// receive; then one wait of every kind.
    /// </summary>
    private static async Task<PendingWaits> StartWaitsAgainstRawAsync(RawPeer raw, bool readOurRequests)
    {
        var local = raw.Peer;
        var awaitingResponse = await local.SendRequestAsync(1, StreamBody.FromString("a"));
        var awaitingUpdate = await local.SendRequestAsync(2, StreamBody.FromString("b"));
        if (readOurRequests)
        {
            Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Request(awaitingResponse.RequestId, 1)));
            Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Request(awaitingUpdate.RequestId, 2)));
        }

        await raw.SendFrameAsync(MessageHeader.Request(7, 3), "c"u8);
        var received = (await local.ReceiveMessageAsync().WithTimeout()).Request!;
        var waits = PendingWaits.Start(local, awaitingResponse, awaitingUpdate, received);
        waits.AssertPending();
        return waits;
    }

    private static async Task<List<string>> CollectAsync(PeerHandle<StreamBody> peer)
    {
        var texts = new List<string>();
        await foreach (var message in peer.ReadMessagesAsync())
            texts.Add(message.Message.Body.ToUtf8String());
        return texts;
    }
}
