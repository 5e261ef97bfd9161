using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>The call object of a service with updates: typed request updates out, response updates decoded by ID, the response.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class CallTests(LoopbackKind kind)
{
    [Test]
    public async Task UpdatesAreDecodedByIdAndRequestUpdatesReachTheHandler()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await using var call = await served.Client.StartCountAsync(5).Within();

        var progress = await call.ReceiveUpdateAsync().Within();
        var note = await call.ReceiveUpdateAsync().Within();
        var unknown = await call.ReceiveUpdateAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(progress, Is.EqualTo(new CountUpdate.Progress(5)));
            Assert.That(note, Is.EqualTo(new CountUpdate.Note("started")));
            Assert.That(unknown, Is.TypeOf<CountUpdate.Unknown>());
            Assert.That(((CountUpdate.Unknown)unknown!).ServiceId, Is.EqualTo(TestIds.UndeclaredUpdate));
            Assert.That(((CountUpdate.Unknown)unknown).Body, Is.EqualTo(new byte[] { 1, 2, 3 }));
        }

        await call.SendAdjustAsync(3).Within();
        await call.SendAdjustAsync(4).Within();
        await call.SendAdjustAsync(0).Within();
        Assert.That(await call.ReceiveUpdateAsync().Within(), Is.Null, "the response is next");
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new CountResult(12, 0)));
    }

    [Test]
    public async Task UndeclaredRequestUpdatesReachTheHandlerAsUnknown()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await using var call = await served.Client.StartCountAsync(1).Within();
        await call.Request.SendUpdateAsync(77, new byte[] { 0xc0 }).Within();
        await call.SendAdjustAsync(2).Within();
        await call.SendAdjustAsync(0).Within();
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new CountResult(3, 1)));
    }

    [Test]
    public async Task ReceiveResponseSkipsUpdatesNotRead()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await using var call = await served.Client.StartCountAsync(10).Within();
        await call.SendAdjustAsync(0).Within();
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new CountResult(10, 0)));
    }

    [Test]
    public async Task ReadUpdatesListsEveryUpdateAndEndsBeforeTheResponse()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await using var call = await served.Client.StartCountAsync(2).Within();
        await call.SendAdjustAsync(0).Within();

        var updates = new List<CountUpdate>();
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        await foreach (var update in call.ReadUpdatesAsync(timeout.Token))
            updates.Add(update);

        Assert.That(updates.Select(u => u.GetType()), Is.EqualTo(new[] { typeof(CountUpdate.Progress), typeof(CountUpdate.Note), typeof(CountUpdate.Unknown) }));
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new CountResult(2, 0)));
    }

    [Test]
    public async Task AnErrorResponseToACallThrowsRemoteError()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await using var call = await served.Client.StartCountAsync(-1).Within();
        var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => call.ReceiveResponseAsync().AsTask());
        Assert.That(error.Message, Is.EqualTo("negative start"));
        Assert.That(error.RequestId, Is.EqualTo(call.RequestId));
    }

    [Test]
    public async Task SendingAnUpdateAfterTheResponseIsRefused()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await using var call = await served.Client.StartCountAsync(0).Within();
        await call.SendAdjustAsync(0).Within();
        await call.ReceiveResponseAsync().Within();
        await TestWaits.ThrowsAsync<RequestClosedException>(() => call.SendAdjustAsync(1).AsTask());
    }

    [Test]
    public async Task TheCallUsesTheClientsFormat()
    {
        await using var served = await ServedPair.StartAsync(kind, new TestServer(new JsonFormat()));
        await using var call = await served.Client.StartCountAsync(1).Within();
        Assert.That(call.Format, Is.SameAs(served.Client.Format));
        Assert.That(await call.ReceiveUpdateAsync().Within(), Is.EqualTo(new CountUpdate.Progress(1)));
        await call.SendAdjustAsync(1).Within();
        await call.SendAdjustAsync(0).Within();
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new CountResult(2, 0)));
    }

    [Test]
    public async Task AnUndecodableUpdateIsAFormatErrorAndTheCallGoesOn()
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        await using var call = await raw.Client.StartCountAsync(1).Within();
        var (header, _) = await raw.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Request(call.RequestId, TestIds.Count)));

        await raw.Raw.SendFrameAsync(MessageHeader.ResponderUpdate(call.RequestId, TestIds.Progress), [0xc1]);
        var error = await TestWaits.ThrowsAsync<RpcFormatException>(() => call.ReceiveUpdateAsync().AsTask());
        Assert.That(error.BodyType, Is.EqualTo(typeof(int)));

        await raw.Raw.SendFrameAsync(MessageHeader.ResponderUpdate(call.RequestId, TestIds.Progress), [0x07]);
        Assert.That(await call.ReceiveUpdateAsync().Within(), Is.EqualTo(new CountUpdate.Progress(7)));

        await raw.Raw.SendFrameAsync(MessageHeader.Response(call.RequestId, 0), MessagePackFormat.Default.Encode(new CountResult(1, 0)).Span);
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new CountResult(1, 0)));
    }

    [Test]
    public async Task RequestUpdatesGoOutWithTheirIdsAndTheRequestId()
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        await using var call = await raw.Client.StartCountAsync(1).Within();
        await raw.Raw.ReceiveMessageAsync();
        await call.SendAdjustAsync(-3).Within();
        var (header, body) = await raw.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.RequesterUpdate(call.RequestId, TestIds.Adjust)));
        Assert.That(body, Is.EqualTo(new byte[] { 0xfd }));
    }
}
