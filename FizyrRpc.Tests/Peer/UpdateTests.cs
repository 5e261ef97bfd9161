using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Peer;

/// <summary>Updates in both directions of an open request, between two real peers over TCP and Unix stream sockets.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class UpdateTests(LoopbackKind kind)
{
    [Test]
    public async Task ResponderUpdatesAreReadUntilTheResponseIsNext()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendUpdateAsync(10, new byte[] { 1 }).Within();
        await received.SendUpdateAsync(-11, new byte[] { 2, 2 }).Within();
        await received.SendResponseAsync(1, new byte[] { 3 }).Within();

        var first = await request.ReceiveUpdateAsync().Within();
        var second = await request.ReceiveUpdateAsync().Within();
        var afterUpdates = await request.ReceiveUpdateAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first?.Header, Is.EqualTo(MessageHeader.ResponderUpdate(request.RequestId, 10)));
            Assert.That(first?.Bytes(), Is.EqualTo(new byte[] { 1 }));
            Assert.That(second?.Header, Is.EqualTo(MessageHeader.ResponderUpdate(request.RequestId, -11)));
            Assert.That(second?.Bytes(), Is.EqualTo(new byte[] { 2, 2 }));
            Assert.That(afterUpdates, Is.Null, "null: the response is next");
        }

        // Still null when asked again: the response stays queued until it is taken.
        Assert.That(await request.ReceiveUpdateAsync().Within(), Is.Null);
        var response = await request.ReceiveResponseAsync().Within();
        Assert.That(response.Bytes(), Is.EqualTo(new byte[] { 3 }));
    }

    [Test]
    public async Task ReadUpdatesAsyncEnumeratesTheResponderUpdates()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        for (var i = 0; i < 5; i++)
            await received.SendUpdateAsync(i, new[] { (byte)i }).Within();
        await received.SendResponseAsync(0, StreamBody.Empty).Within();

        var updates = new List<int>();
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        await foreach (var update in request.ReadUpdatesAsync(timeout.Token))
        {
            Assert.That(update.Bytes(), Is.EqualTo(new[] { (byte)update.ServiceId }));
            updates.Add(update.ServiceId);
        }

        Assert.That(updates, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That((await request.ReceiveResponseAsync().Within()).Header.MessageType, Is.EqualTo(MessageType.Response));
    }

    [Test]
    public async Task RequesterUpdatesAreReadByTheReceivedRequestUntilItIsAnswered()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        await request.SendUpdateAsync(5, new byte[] { 5 }).Within();
        await request.SendUpdateAsync(6, new byte[] { 6 }).Within();
        var received = await pair.Server.ReceiveRequestAsync();

        var first = await received.ReceiveUpdateAsync().Within();
        var second = await received.ReceiveUpdateAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first?.Header, Is.EqualTo(MessageHeader.RequesterUpdate(received.RequestId, 5)));
            Assert.That(first?.Bytes(), Is.EqualTo(new byte[] { 5 }));
            Assert.That(second?.Header, Is.EqualTo(MessageHeader.RequesterUpdate(received.RequestId, 6)));
        }

        // A pending read ends with null once the request is answered.
        var pending = received.ReceiveUpdateAsync().AsTask();
        await received.SendResponseAsync(0, StreamBody.Empty).Within();
        Assert.That(await pending.Within(), Is.Null);
        Assert.That(await received.ReceiveUpdateAsync().Within(), Is.Null);
        await request.ReceiveResponseAsync().Within();
    }

    [Test]
    public async Task ReadUpdatesAsyncOnTheReceivedRequestEndsWhenItIsAnswered()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();

        var reader = Task.Run(async () =>
        {
            var seen = new List<int>();
            await foreach (var update in received.ReadUpdatesAsync())
            {
                seen.Add(update.ServiceId);
                if (seen.Count == 3)
                    await received.SendResponseAsync(0, StreamBody.Empty);
            }

            return seen;
        });
        for (var i = 1; i <= 3; i++)
            await request.SendUpdateAsync(i, StreamBody.Empty).Within();

        Assert.That(await reader.Within(), Is.EqualTo(new[] { 1, 2, 3 }));
        await request.ReceiveResponseAsync().Within();
    }

    [Test]
    public async Task ResponderUpdatesKeepTheirOrderWhenReadsAndArrivalsInterleave()
    {
        // The request's queue holds its head in a field and the rest in a ring: reading the head while more wait, then
        // more arriving, must still come out in the order sent.
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        var seen = new List<int>();
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 3; i++)
                await received.SendUpdateAsync((round * 3) + i, StreamBody.Empty).Within();
            var update = await request.ReceiveUpdateAsync().Within();
            seen.Add(update!.Value.ServiceId);
        }

        await received.SendResponseAsync(0, StreamBody.Empty).Within();
        while (await request.ReceiveUpdateAsync().Within() is { } update)
            seen.Add(update.ServiceId);
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 12)));
        await request.ReceiveResponseAsync().Within();
    }

    [Test]
    public async Task AReceivedRequestAnsweredBeforeAnyUpdateReadsNoUpdate()
    {
        // The received request makes its update queue only when first used: the answer comes before that here.
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendResponseAsync(0, StreamBody.Empty).Within();
        Assert.That(await received.ReceiveUpdateAsync().Within(), Is.Null);
        await request.ReceiveResponseAsync().Within();

        // The connection goes on as before.
        var second = await pair.Client.SendRequestAsync(2, StreamBody.Empty).Within();
        var secondReceived = await pair.Server.ReceiveRequestAsync();
        Assert.That(secondReceived.ServiceId, Is.EqualTo(2));
        await secondReceived.SendResponseAsync(0, StreamBody.Empty).Within();
        await second.ReceiveResponseAsync().Within();
    }

    [Test]
    public async Task ARequesterUpdateRacingTheAnswerNeverLeavesAReadWaiting()
    {
        // The received request makes its queue on first use, which can be the update arriving while the answer ends the
        // queue that is not there yet. Either order must leave the request ended: the read returns, never waits.
        await using var pair = await Loopback.PairAsync(kind);
        for (var i = 0; i < 300; i++)
        {
            var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
            await request.SendUpdateAsync(7, StreamBody.Empty).Within();
            var received = await NextRequestSkippingLateUpdatesAsync(pair.Server);
            await received.SendResponseAsync(0, StreamBody.Empty).Within();
            if (await received.ReceiveUpdateAsync().Within() is { } update)
                Assert.That(update.ServiceId, Is.EqualTo(7), "the update came before the answer");
            Assert.That(await received.ReceiveUpdateAsync().Within(), Is.Null, "answered: nothing more to read");
            await request.ReceiveResponseAsync().Within();
        }

        Assert.That(pair.Server.OpenReceivedRequests, Is.Zero);
    }

    // An update that arrives after its request was answered is reported as an unknown ID (the protocol's rule): skip it.
    private static async Task<ReceivedRequest<StreamBody>> NextRequestSkippingLateUpdatesAsync(PeerHandle<StreamBody> server)
    {
        while (true)
        {
            try
            {
                var message = await server.ReceiveMessageAsync().AsTask().Within();
                return message.Request ?? throw new AssertionException("expected a request");
            }
            catch (RpcProtocolException error) when (error.Error == ProtocolError.UnknownRequestId)
            {
            }
        }
    }

    [Test]
    public async Task AReceivedRequestWithNoUpdateYetFailsItsReadWhenTheConnectionCloses()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await pair.Client.CloseAsync().Within();
        await pair.Server.Completion.Within();

        var error = await Assert.ThrowsAsync<ConnectionClosedException>(async () => await received.ReceiveUpdateAsync().Within());
        Assert.That(error!.Reason, Is.EqualTo(CloseReason.ClosedByRemote));
    }

    [Test]
    public async Task AReceivedRequestWaitingBeforeAnyUpdateGetsTheFirstOne()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        var waiting = received.ReceiveUpdateAsync().AsTask();
        await request.SendUpdateAsync(7, new byte[] { 7 }).Within();

        var update = await waiting.Within();
        Assert.That(update?.Header, Is.EqualTo(MessageHeader.RequesterUpdate(request.RequestId, 7)));
        await received.SendResponseAsync(0, StreamBody.Empty).Within();
        await request.ReceiveResponseAsync().Within();
    }

    [Test]
    public async Task ReceiveResponseWithAnUnreadUpdateThrowsAndKeepsTheUpdate()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendUpdateAsync(33, new byte[] { 3, 3 }).Within();
        await received.SendResponseAsync(0, new byte[] { 4 }).Within();

        // The update is ahead of the response in the request's queue, so the wait ends with it.
        var error = (await Assert.ThrowsAsync<UnreadUpdateException>(async () => await request.ReceiveResponseAsync().Within()))!;
        Assert.That((error.RequestId, error.UpdateServiceId), Is.EqualTo((request.RequestId, 33)));
        await Assert.ThrowsAsync<UnreadUpdateException>(async () => await request.ReceiveResponseAsync().Within(), "asking again changes nothing");

        var update = await request.ReceiveUpdateAsync().Within();
        Assert.That(update?.Header, Is.EqualTo(MessageHeader.ResponderUpdate(request.RequestId, 33)));
        Assert.That(update?.Bytes(), Is.EqualTo(new byte[] { 3, 3 }));
        var response = await request.ReceiveResponseAsync().Within();
        Assert.That(response.Bytes(), Is.EqualTo(new byte[] { 4 }));
    }

    [Test]
    public async Task APendingReceiveUpdateEndsWithNullWhenTheResponseArrives()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        var pending = request.ReceiveUpdateAsync().AsTask();
        Assert.That(pending.IsCompleted, Is.False);

        await received.SendResponseAsync(0, new byte[] { 1 }).Within();
        Assert.That(await pending.Within(), Is.Null);
        Assert.That((await request.ReceiveResponseAsync().Within()).Bytes(), Is.EqualTo(new byte[] { 1 }));
    }

    [Test]
    public async Task ACancelledReceiveLeavesTheRequestReadable()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();

        using (var cancel = new CancellationTokenSource())
        {
            var pendingResponse = request.ReceiveResponseAsync(cancel.Token).AsTask();
            await cancel.CancelAsync();
            Assert.That(async () => await pendingResponse.Within(), Throws.InstanceOf<OperationCanceledException>());
        }

        using (var cancel = new CancellationTokenSource())
        {
            var pendingUpdate = received.ReceiveUpdateAsync(cancel.Token).AsTask();
            await cancel.CancelAsync();
            Assert.That(async () => await pendingUpdate.Within(), Throws.InstanceOf<OperationCanceledException>());
        }

        await request.SendUpdateAsync(2, new byte[] { 2 }).Within();
        Assert.That((await received.ReceiveUpdateAsync().Within())?.ServiceId, Is.EqualTo(2));
        await received.SendResponseAsync(3, new byte[] { 3 }).Within();
        Assert.That((await request.ReceiveResponseAsync().Within()).ServiceId, Is.EqualTo(3));
    }

    [Test]
    public async Task WriteHandlesSendUpdatesFromOtherTasks()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        var requesterWriter = request.CreateWriteHandle();
        var responderWriter = received.CreateWriteHandle();
        Assert.That((requesterWriter.RequestId, responderWriter.RequestId), Is.EqualTo((request.RequestId, received.RequestId)));

        // The requester's writer task and the responder's writer task run while each handle's owner reads.
        var requesterTask = Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
                await requesterWriter.SendUpdateAsync(i, new[] { (byte)i });
        });
        var responderTask = Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
                await responderWriter.SendUpdateAsync(100 + i, new[] { (byte)i });
        });

        var atResponder = new List<int>();
        for (var i = 0; i < 10; i++)
            atResponder.Add((await received.ReceiveUpdateAsync().Within())!.Value.ServiceId);
        await requesterTask.Within();
        await responderTask.Within();
        await Task.Run(async () => await responderWriter.SendResponseAsync(7, new byte[] { 7 })).Within();

        var atRequester = new List<int>();
        await foreach (var update in request.ReadUpdatesAsync())
            atRequester.Add(update.ServiceId);
        var response = await request.ReceiveResponseAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(atResponder, Is.EqualTo(Enumerable.Range(0, 10)));
            Assert.That(atRequester, Is.EqualTo(Enumerable.Range(100, 10)));
            Assert.That(response.ServiceId, Is.EqualTo(7));
            Assert.That(received.IsClosed, Is.True);
        }

        await Assert.ThrowsAsync<RequestClosedException>(async () => await responderWriter.SendUpdateAsync(1, StreamBody.Empty));
        await Assert.ThrowsAsync<RequestClosedException>(async () => await requesterWriter.SendUpdateAsync(1, StreamBody.Empty));
    }

    [Test]
    public async Task TheRequesterCannotSendAnUpdateAfterTheResponse()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendResponseAsync(0, StreamBody.Empty).Within();
        await request.ReceiveResponseAsync().Within();

        Assert.That(request.IsClosed, Is.True);
        var error = (await Assert.ThrowsAsync<RequestClosedException>(async () => await request.SendUpdateAsync(9, new byte[] { 9 })))!;
        Assert.That(error.RequestId, Is.EqualTo(request.RequestId));

        // Nothing of the refused update reached the remote: the next thing it sees is this stream message.
        await pair.Client.SendStreamAsync(55, new byte[] { 5 }).Within();
        var next = await pair.Server.ReceiveStreamAsync();
        Assert.That(next.Header, Is.EqualTo(MessageHeader.Stream(55)));
    }

    [Test]
    public async Task TheResponderCannotSendAnUpdateOrASecondAnswerAfterTheResponse()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendResponseAsync(0, new byte[] { 1 }).Within();

        Assert.That(received.IsClosed, Is.True);
        await Assert.ThrowsAsync<RequestClosedException>(async () => await received.SendUpdateAsync(9, new byte[] { 9 }));
        await Assert.ThrowsAsync<RequestClosedException>(async () => await received.SendResponseAsync(0, new byte[] { 2 }));
        await Assert.ThrowsAsync<RequestClosedException>(async () => await received.SendErrorResponseAsync("again"));

        await pair.Server.SendStreamAsync(56, StreamBody.Empty).Within();
        var next = await pair.Client.ReceiveStreamAsync();
        Assert.That(next.Header, Is.EqualTo(MessageHeader.Stream(56)));
        Assert.That(await request.ReceiveUpdateAsync().Within(), Is.Null, "no update reached the requester");
        Assert.That((await request.ReceiveResponseAsync().Within()).Bytes(), Is.EqualTo(new byte[] { 1 }));
    }
}
