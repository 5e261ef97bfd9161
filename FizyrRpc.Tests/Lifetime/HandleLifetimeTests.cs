using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// Which handles keep a connection alive: the read handle and every write handle do; the close handle and request
/// handles do not. The last one disposed ends the connection.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class HandleLifetimeTests(LoopbackKind kind)
{
    [Test]
    public async Task CloseHandleDoesNotKeepTheConnectionAlive()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var closeHandle = local.CreateCloseHandle();

        await local.DisposeAsync().WithTimeout();

        await closeHandle.Completion.WithTimeout();
        Assert.That(closeHandle.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedLocally));
        await ConnectionAssert.SeesRemoteCloseAsync(remote);
        Assert.That(closeHandle.CloseAsync().IsCompleted, Is.True, "closing an ended connection completes at once");
    }

    [Test]
    public async Task DisposingTheLastHandleWaitsUntilTheConnectionHasEnded()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);

        await local.DisposeAsync().WithTimeout();

        Assert.That(local.Completion.IsCompleted, Is.True);
        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedLocally);
        await ConnectionAssert.SeesRemoteCloseAsync(remote);
    }

    [Test]
    public async Task ClonedWriteHandleKeepsTheConnectionAliveUntilItIsDisposed()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var clone = local.CreateWriteHandle();
        try
        {
            await local.DisposeAsync().WithTimeout(); // the read side and the original write side

            Assert.That(local.CloseError, Is.Null);
            // The clone still sends requests and gets their responses.
            var sent = await clone.SendRequestAsync(5, StreamBody.FromString("ping"));
            var atRemote = (await remote.ReceiveMessageAsync().WithTimeout()).Request!;
            await atRemote.SendResponseAsync(5, StreamBody.FromString("pong"));
            Assert.That((await sent.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("pong"));
            // Nobody reads any more: the remote's requests are refused, but answered.
            var refused = await remote.SendRequestAsync(9, StreamBody.FromString("anyone?"));
            var answer = await refused.ReceiveResponseAsync().WithTimeout();
            Assert.That(answer.IsErrorResponse, Is.True);
            Assert.That(answer.GetErrorMessage(), Is.EqualTo("unexpected request for service 9"));
            Assert.That(local.CloseError, Is.Null);
        }
        finally
        {
            await clone.DisposeAsync().WithTimeout();
        }

        Assert.That(local.Completion.IsCompleted, Is.True, "disposing the last handle waits for the end");
        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedLocally);
        await ConnectionAssert.SeesRemoteCloseAsync(remote);
    }

    [Test]
    public async Task SplitThenDisposingBothHalvesEndsIt([Values] bool readFirst)
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var (read, write) = local.Split();

        if (readFirst)
            await read.DisposeAsync().WithTimeout();
        else
            await write.DisposeAsync().WithTimeout();
        Assert.That(local.CloseError, Is.Null, "one half still keeps it alive");
        if (readFirst)
        {
            // The write half still works: a request goes out and its response comes back.
            var sent = await write.SendRequestAsync(1, StreamBody.FromString("still here"));
            var atRemote = (await remote.ReceiveMessageAsync().WithTimeout()).Request!;
            await atRemote.SendResponseAsync(1, StreamBody.Empty);
            await sent.ReceiveResponseAsync().WithTimeout();
            await write.DisposeAsync().WithTimeout();
        }
        else
        {
            // The read half still works: a request comes in and is answered through the request handle.
            var sent = await remote.SendRequestAsync(2, StreamBody.FromString("still there"));
            var atLocal = (await read.ReceiveMessageAsync().WithTimeout()).Request!;
            await atLocal.SendResponseAsync(2, StreamBody.Empty);
            await sent.ReceiveResponseAsync().WithTimeout();
            await read.DisposeAsync().WithTimeout();
        }

        Assert.That(local.Completion.IsCompleted, Is.True);
        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedLocally);
        await ConnectionAssert.SeesRemoteCloseAsync(remote);
    }

    [Test]
    public async Task RequestHandlesDoNotKeepTheConnectionAlive()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        using var sent = await local.SendRequestAsync(1, StreamBody.FromString("open"));
        await remote.ReceiveMessageAsync().WithTimeout();
        await remote.SendRequestAsync(2, StreamBody.FromString("open too"));
        using var received = (await local.ReceiveMessageAsync().WithTimeout()).Request!;

        await local.DisposeAsync().WithTimeout();

        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedLocally);
        await Await.ClosedAsync(() => sent.ReceiveResponseAsync().AsTask(), CloseReason.ClosedLocally);
        await Await.ClosedAsync(() => received.ReceiveUpdateAsync().AsTask(), CloseReason.ClosedLocally);
        await ConnectionAssert.SeesRemoteCloseAsync(remote);
    }
}
