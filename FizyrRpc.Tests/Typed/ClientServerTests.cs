using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>A typed client calling a typed server over real sockets: plain calls, error responses, formats.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class ClientServerTests(LoopbackKind kind)
{
    [Test]
    public async Task ACallWithoutBodyOrResultCompletes()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await served.Client.PingAsync().Within();
        await served.Client.PingAsync().Within();
        Assert.That(served.Pair.Client.OpenSentRequests, Is.Zero);
    }

    [Test]
    public async Task ACallWithABodyReturnsTheDecodedResult()
    {
        await using var served = await ServedPair.StartAsync(kind);
        Assert.That(await served.Client.AddAsync(new AddRequest(2, 40)).Within(), Is.EqualTo(42));
        Assert.That(await served.Client.EchoAsync("héllo").Within(), Is.EqualTo("héllo"));
        Assert.That(await served.Client.EchoAsync("").Within(), Is.Empty);
    }

    [Test]
    public async Task ManyCallsAtOnceEachGetTheirOwnResult()
    {
        await using var served = await ServedPair.StartAsync(kind);
        var calls = Enumerable.Range(0, 200).Select(i => served.Client.AddAsync(new AddRequest(i, 1000)).AsTask()).ToArray();
        var results = await Task.WhenAll(calls).Within();
        Assert.That(results, Is.EqualTo(Enumerable.Range(1000, 200)));
    }

    [Test]
    public async Task JsonOnBothSidesWorks()
    {
        await using var served = await ServedPair.StartAsync(kind, new TestServer(new JsonFormat()));
        Assert.That(served.Client.Format, Is.InstanceOf<JsonFormat>());
        await served.Client.PingAsync().Within();
        Assert.That(await served.Client.AddAsync(new AddRequest(-1, -2)).Within(), Is.EqualTo(-3));
        Assert.That(await served.Client.EchoAsync("json").Within(), Is.EqualTo("json"));
    }

    [Test]
    public async Task TheDefaultFormatIsMessagePack()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await using var client = new TestClient(pair.Client);
        Assert.That(client.Format, Is.SameAs(MessagePackFormat.Default));
        Assert.That(new TestServer().Format, Is.SameAs(MessagePackFormat.Default));
    }

    [Test]
    public async Task AnUnknownServiceIsAnsweredWithAnErrorAndTheConnectionStaysUsable()
    {
        await using var served = await ServedPair.StartAsync(kind);
        var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => served.Client.CallServiceAsync(42).AsTask());
        Assert.That(error.Message, Is.EqualTo("unknown service 42"));
        var negative = await TestWaits.ThrowsAsync<RemoteErrorException>(() => served.Client.CallServiceAsync(-9).AsTask());
        Assert.That(negative.Message, Is.EqualTo("unknown service -9"));
        Assert.That(await served.Client.AddAsync(new AddRequest(1, 1)).Within(), Is.EqualTo(2));
    }

    [Test]
    public async Task WithDetailedErrorsAHandlerExceptionBecomesAnErrorWithItsMessageAndNoStackTrace()
    {
        await using var served = await ServedPair.StartAsync(kind, new TestServer { EnableDetailedErrors = true });
        var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => served.Client.FailAsync("the camera is on fire").AsTask());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Is.EqualTo("the camera is on fire"));
            Assert.That(error.Message, Does.Not.Contain("   at "));
            Assert.That(error.Message, Does.Not.Contain(nameof(InvalidOperationException)));
        }

        // The server saw the exception itself, with its stack trace, for its logs.
        var observed = await served.Server.FirstHandlerError.Task.Within();
        Assert.That(observed, Is.TypeOf<InvalidOperationException>());
        Assert.That(observed.StackTrace, Does.Contain("ThrowIt"));
        Assert.That(served.Server.HandlerErrors.Single().Header.ServiceId, Is.EqualTo(TestIds.Fail));
        Assert.That(await served.Client.EchoAsync("still here").Within(), Is.EqualTo("still here"));
    }

    [Test]
    public async Task DescribeErrorDecidesWhatTheRemoteIsTold()
    {
        await using var served = await ServedPair.StartAsync(kind, new TerseServer());
        var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => served.Client.FailAsync("secret detail").AsTask());
        Assert.That(error.Message, Is.EqualTo("internal error (InvalidOperationException)"));
    }

    [Test]
    public async Task AMismatchedBodyIsAnsweredWithInvalidBody()
    {
        // A JSON client talking to a MessagePack server: the server cannot decode the request.
        await using var served = await ServedPair.StartAsync(kind, new TestServer(), new JsonFormat());
        var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => served.Client.AddAsync(new AddRequest(1, 2)).AsTask());
        Assert.That(error.Message, Does.StartWith("invalid body for service 1"));
        Assert.That(error.Message, Does.Not.Contain("   at "));

        // The remote's mistake, not the handler's: OnHandlerError never sees it (every handler has ended with ServeAsync).
        await served.Client.CloseAsync().Within();
        await served.Serve.Within();
        Assert.That(served.Server.HandlerErrors, Is.Empty);
    }

    [Test]
    public async Task AHiddenServiceStillWorks()
    {
        await using var served = await ServedPair.StartAsync(kind);
        Assert.That(await served.Client.SecretAsync().Within(), Is.EqualTo("hidden but working"));
    }

    [Test]
    public async Task AHandlerThatAnswersThenThrowsKeepsItsAnswer()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await served.Client.AnswerThenThrowAsync().Within();
        await served.Client.PingAsync().Within();
        Assert.That(served.Pair.Client.OpenSentRequests, Is.Zero);
    }

    [Test]
    public async Task AHandlerThatAnswersThenThrowsIsStillObserved()
    {
        // OnHandlerError is where a server logs its handlers' exceptions; one thrown after the answer must not vanish.
        await using var served = await ServedPair.StartAsync(kind);
        await served.Client.AnswerThenThrowAsync().Within();

        // Once ServeAsync has ended, every handler has finished and whatever it threw has been seen.
        await served.Client.CloseAsync().Within();
        await served.Serve.Within();
        Assert.That(served.Server.HandlerErrors.Select(e => e.Error.Message), Is.EqualTo(new[] { "failed after answering" }));
    }

    [Test]
    public async Task ACancelledCallThrowsOperationCanceled()
    {
        await using var served = await ServedPair.StartAsync(kind);
        using var cancel = new CancellationTokenSource();
        var call = served.Client.WaitAsync("never", cancel.Token).AsTask();
        await served.Server.WaitStarted.Task.Within();
        await cancel.CancelAsync();
        await TestWaits.ThrowsAsync<OperationCanceledException>(() => call);
        served.Server.WaitGate.SetResult();
        Assert.That(await served.Client.EchoAsync("after").Within(), Is.EqualTo("after"));
    }

    /// <summary>A server that tells the remote only the exception's type.</summary>
    private sealed class TerseServer : TestServer
    {
        protected override string DescribeError(MessageHeader header, Exception error) => $"internal error ({error.GetType().Name})";
    }
}
