using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;
using RpcPeer = FizyrRpc.Peer;

namespace FizyrRpc.Tests.Peer;

/// <summary>Peer.Create with RunAsync under the user's control, and Peer.Start, over sockets the test connects itself.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class ManualControlTests(LoopbackKind kind)
{
    [Test]
    public async Task CreateThenRunCarriesMessagesQueuedBeforeItRuns()
    {
        using var sockets = await Loopback.SocketPairAsync(kind);
        var (peer, handle) = RpcPeer.Create(new StreamTransport(sockets.Server, null, sockets.ServerInfo));
        await using var raw = RawPeer.Over(sockets, handle);

        // Queued before the loops run: written once they do.
        await handle.SendStreamAsync(3, "tick"u8.ToArray()).Within();
        var request = await handle.SendRequestAsync(0, "Hello World"u8.ToArray()).Within();
        var run = peer.RunAsync();

        Assert.That(await raw.ReceiveFrameBytesAsync(), Is.EqualTo(WireVectors.GetValid("stream").Framed));
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Request(0, 0)));
        Assert.That(body, Is.EqualTo("Hello World"u8.ToArray()));
        await raw.SendFrameAsync(MessageHeader.Response(0, 0), "hi"u8);
        Assert.That((await request.ReceiveResponseAsync().Within()).Body.ToUtf8String(), Is.EqualTo("hi"));
        Assert.That(handle.ConnectionInfo, Is.EqualTo(sockets.ServerInfo));
        Assert.That(run.IsCompleted, Is.False);
    }

    [Test]
    public async Task RunAsyncCompletesWhenTheRemoteCloses()
    {
        using var sockets = await Loopback.SocketPairAsync(kind);
        var (peer, handle) = RpcPeer.Create(new StreamTransport(sockets.Server));
        await using var raw = RawPeer.Over(sockets, handle);
        var run = peer.RunAsync();
        var pending = handle.ReceiveMessageAsync().AsTask();

        sockets.Client.Shutdown(SocketShutdown.Send);
        await run.Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.IsCompletedSuccessfully, Is.True, "RunAsync does not throw for the connection's own end");
            Assert.That(handle.Completion.IsCompleted, Is.True);
            Assert.That(handle.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedByRemote));
            Assert.That(handle.ConnectionClosed.IsCancellationRequested, Is.True);
        }

        var closed = (await Assert.ThrowsAsync<ConnectionClosedException>(async () => await pending.Within()))!;
        Assert.That(closed.Reason, Is.EqualTo(CloseReason.ClosedByRemote));
    }

    [Test]
    public async Task RunAsyncCompletesWhenItsTokenIsCancelled()
    {
        using var sockets = await Loopback.SocketPairAsync(kind);
        var (peer, handle) = RpcPeer.Create(new StreamTransport(sockets.Server));
        await using var raw = RawPeer.Over(sockets, handle);
        using var stop = new CancellationTokenSource();
        var run = peer.RunAsync(stop.Token);
        await handle.SendStreamAsync(1, new byte[] { 1 }).Within();
        await raw.ReceiveMessageAsync();

        await stop.CancelAsync();
        await run.Within();
        Assert.That(handle.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedLocally));
        Assert.That(await raw.ReceiveToEndAsync(), Is.Empty, "the raw end sees a clean end of stream");
    }

    [Test]
    public async Task RunAsyncCompletesWhenTheHandleCloses()
    {
        using var sockets = await Loopback.SocketPairAsync(kind);
        var (peer, handle) = RpcPeer.Create(new StreamTransport(sockets.Server));
        await using var raw = RawPeer.Over(sockets, handle);
        var run = peer.RunAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => peer.RunAsync().WaitAsync(Loopback.Timeout), "a peer runs once");

        await handle.CloseAsync().Within();
        await run.Within();
        Assert.That(handle.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedLocally));
    }

    [Test]
    public async Task StartRunsThePeerInTheBackground()
    {
        using var sockets = await Loopback.SocketPairAsync(kind);
        var handle = RpcPeer.Start(new StreamTransport(sockets.Server));
        await using var raw = RawPeer.Over(sockets, handle);
        await raw.SendAsync(WireVectors.GetValid("echo request").Framed);
        var request = await handle.ReceiveRequestAsync();
        await request.SendResponseAsync(0, request.Body).Within();
        Assert.That(await raw.ReceiveFrameBytesAsync(), Is.EqualTo(WireVectors.GetValid("echo response").Framed));
    }
}
