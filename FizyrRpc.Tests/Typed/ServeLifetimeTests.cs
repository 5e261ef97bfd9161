using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>How long ServeAsync runs, what its handlers' tokens say, and that handlers run concurrently.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class ServeLifetimeTests(LoopbackKind kind)
{
    private static Task Cancelled(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => cancelled.TrySetResult());
        return cancelled.Task.Within();
    }

    [Test]
    public async Task ServeEndsWhenTheConnectionCloses()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await served.Client.PingAsync().Within();
        await served.Client.CloseAsync().Within();
        await served.Serve.Within();
        Assert.That(served.Serve.IsCompletedSuccessfully, Is.True);
    }

    [Test]
    public async Task ServeWaitsForItsRunningHandlers()
    {
        await using var served = await ServedPair.StartAsync(kind, new TestServer { WaitHonoursCancellation = false });
        var waiting = served.Client.WaitAsync("slow").AsTask();
        await served.Server.WaitStarted.Task.Within();

        await served.Client.CloseAsync().Within();
        await served.Pair.Server.Completion.Within();
        await TestWaits.ThrowsAsync<RpcException>(() => waiting);
        Assert.That(served.Serve.IsCompleted, Is.False, "a handler is still running");

        // The handler now answers on a closed connection: nobody to tell, and not a failure of ServeAsync. (ServeAsync
        // fails with anything that escapes a handler's error handling, whenever the handler ends, so a regression here
        // fails every time.)
        served.Server.WaitGate.SetResult();
        await Task.WhenAny(served.Serve).Within();
        Assert.That(await served.Server.WaitEnded.Task.Within(), Is.Null, "the handler ran to its end");
        Assert.That(served.Serve.Exception?.InnerException, Is.Null, "ServeAsync ends normally");
    }

    [Test]
    public async Task TheHandlersTokenIsCancelledWhenTheConnectionCloses()
    {
        await using var served = await ServedPair.StartAsync(kind);
        var waiting = served.Client.WaitAsync("closing").AsTask();
        var token = await served.Server.WaitStarted.Task.Within();
        Assert.That(token.IsCancellationRequested, Is.False);

        await served.Client.CloseAsync().Within();
        await Cancelled(token);
        Assert.That(await served.Server.WaitEnded.Task.Within(), Is.InstanceOf<OperationCanceledException>());
        await served.Serve.Within();
        await TestWaits.ThrowsAsync<RpcException>(() => waiting);
    }

    [Test]
    public async Task TheHandlersTokenIsCancelledWhenTheRemoteCloses()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(0, TestIds.Wait), MessagePackFormat.Default.Encode("raw").Span);
        var token = await served.Server.WaitStarted.Task.Within();

        served.Raw.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        await Cancelled(token);
        await served.Serve.Within();
    }

    [Test]
    public async Task ServeEndsWhenItsTokenIsCancelled()
    {
        using var stop = new CancellationTokenSource();
        await using var served = await ServedPair.StartAsync(kind, serveToken: stop.Token);
        var waiting = served.Client.WaitAsync("stopping").AsTask();
        var token = await served.Server.WaitStarted.Task.Within();

        await stop.CancelAsync();
        await Cancelled(token);
        await served.Serve.Within();
        Assert.That(served.Serve.IsCompletedSuccessfully, Is.True, "stopping is not an error");
        Assert.That(await served.Server.WaitEnded.Task.Within(), Is.InstanceOf<OperationCanceledException>());

        // The server released the connection: the client sees it end, and its call fails rather than hangs.
        await served.Client.Completion.Within();
        await TestWaits.ThrowsAsync<RpcException>(() => waiting);
    }

    [Test]
    public async Task ServeWithAnAlreadyCancelledTokenEndsAtOnce()
    {
        await using var served = await ServedPair.StartAsync(kind, serveToken: new CancellationToken(canceled: true));
        await served.Serve.Within();
        await served.Client.Completion.Within();
    }

    [Test]
    public async Task ASlowHandlerDoesNotHoldUpAFastOne()
    {
        await using var served = await ServedPair.StartAsync(kind);
        var slow = served.Client.WaitAsync("slow").AsTask();
        await served.Server.WaitStarted.Task.Within();

        Assert.That(await served.Client.EchoAsync("fast").Within(), Is.EqualTo("fast"));
        await using (var call = await served.Client.StartCountAsync(1).Within())
        {
            await call.SendAdjustAsync(0).Within();
            Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new CountResult(1, 0)));
        }

        Assert.That(slow.IsCompleted, Is.False);
        served.Server.WaitGate.SetResult();
        Assert.That(await slow.Within(), Is.EqualTo("slow"));
    }

    [Test]
    public async Task AStreamHandlerRunsWhileARequestIsOpen()
    {
        await using var served = await ServedPair.StartAsync(kind);
        var slow = served.Client.WaitAsync("slow").AsTask();
        await served.Server.WaitStarted.Task.Within();
        await served.Client.SendLogAsync("meanwhile").Within();
        Assert.That(await served.Server.Streams.Reader.ReadAsync().Within(), Is.EqualTo(new TestStream.Log("meanwhile")));
        served.Server.WaitGate.SetResult();
        await slow.Within();
    }

    [Test]
    public async Task ServeRefusesANullPeer()
    {
        await TestWaits.ThrowsAsync<ArgumentNullException>(() => new TestServer().ServeAsync(null!));
    }
}
