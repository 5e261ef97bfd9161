using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// We end the connection: every pending wait ends with ClosedLocally, CloseAsync from any kind of handle ends it for
/// all of them, and nothing can be sent afterwards.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class LocalCloseTests(LoopbackKind kind)
{
    /// <summary>The handle a test closes the connection from.</summary>
    public enum Closer
    {
        PeerHandle,
        ReadHandle,
        WriteHandle,
        CloseHandle,
    }

    [Test]
    public async Task ClosedLocally_EveryPendingWaitFailsWithClosedLocally()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var awaitingResponse = await local.SendRequestAsync(1, StreamBody.FromString("a"));
        var awaitingUpdate = await local.SendRequestAsync(2, StreamBody.FromString("b"));
        await remote.ReceiveMessageAsync().WithTimeout();
        await remote.ReceiveMessageAsync().WithTimeout();
        await remote.SendRequestAsync(3, StreamBody.FromString("c"));
        var received = (await local.ReceiveMessageAsync().WithTimeout()).Request!;
        using var closedSignal = new SemaphoreSlim(0);
        await using var registration = local.ConnectionClosed.Register(() => closedSignal.Release());

        var waits = PendingWaits.Start(local, awaitingResponse, awaitingUpdate, received);
        waits.AssertPending();
        await local.CloseAsync().WithTimeout();

        await waits.AssertClosedAsync(CloseReason.ClosedLocally);
        Assert.That(await closedSignal.WaitAsync(Loopback.Timeout), Is.True, "ConnectionClosed callbacks run");
        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedLocally);
        await ConnectionAssert.SeesRemoteCloseAsync(remote);
    }

    [Test]
    public async Task CloseAsyncFromAnyHandleEndsItForEveryHandle(
        [Values(Closer.PeerHandle, Closer.ReadHandle, Closer.WriteHandle, Closer.CloseHandle)] Closer closer)
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var closeHandle = local.CreateCloseHandle();
        using var clone = local.CreateWriteHandle();
        PeerReadHandle<StreamBody>? read = null;
        PeerWriteHandle<StreamBody>? write = null;
        if (closer is Closer.ReadHandle or Closer.WriteHandle)
            (read, write) = local.Split();
        try
        {
            var pendingRead = read is not null ? read.ReceiveMessageAsync().AsTask() : local.ReceiveMessageAsync().AsTask();
            Assert.That(pendingRead.IsCompleted, Is.False);
            var closing = closer switch
            {
                Closer.PeerHandle => local.CloseAsync(),
                Closer.ReadHandle => read!.CloseAsync(),
                Closer.WriteHandle => write!.CloseAsync(),
                _ => closeHandle.CloseAsync(),
            };
            await closing.WithTimeout();

            // CloseAsync completes once the connection has ended, for every handle.
            Assert.That(local.Completion.IsCompleted, Is.True);
            Assert.That(closeHandle.Completion.IsCompleted, Is.True);
            Assert.That(clone.Completion.IsCompleted, Is.True);
            Assert.That(closeHandle.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedLocally));
            Assert.That(clone.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedLocally));
            Assert.That(clone.ConnectionClosed.IsCancellationRequested, Is.True);
            await Await.ClosedAsync(pendingRead, CloseReason.ClosedLocally);
            if (read is not null)
            {
                Assert.That(write!.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedLocally));
                await Await.ClosedAsync(() => read.ReceiveMessageAsync().AsTask(), CloseReason.ClosedLocally);
                await Await.ClosedAsync(() => write.SendStreamAsync(1, StreamBody.Empty).AsTask(), CloseReason.ClosedLocally);
            }
            else
            {
                await Await.ClosedAsync(() => local.ReceiveMessageAsync().AsTask(), CloseReason.ClosedLocally);
                await Await.ClosedAsync(() => local.SendStreamAsync(1, StreamBody.Empty).AsTask(), CloseReason.ClosedLocally);
            }

            await Await.ClosedAsync(() => clone.SendStreamAsync(1, StreamBody.Empty).AsTask(), CloseReason.ClosedLocally);
            await ConnectionAssert.EndedAsync(local, CloseReason.ClosedLocally);
            await ConnectionAssert.SeesRemoteCloseAsync(remote);
        }
        finally
        {
            read?.Dispose();
            write?.Dispose();
        }
    }

    [Test]
    public async Task SendingAfterTheCloseThrowsConnectionClosed([Values] bool closedByRemote)
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        using var clone = local.CreateWriteHandle();
        var sent = await local.SendRequestAsync(1, StreamBody.FromString("open"));
        await remote.ReceiveMessageAsync().WithTimeout();
        await remote.SendRequestAsync(2, StreamBody.FromString("open too"));
        var received = (await local.ReceiveMessageAsync().WithTimeout()).Request!;

        if (closedByRemote)
            await remote.DisposeAsync().WithTimeout();
        else
            await local.CloseAsync().WithTimeout();
        var reason = closedByRemote ? CloseReason.ClosedByRemote : CloseReason.ClosedLocally;
        await ConnectionAssert.EndedAsync(local, reason);

        await Await.ClosedAsync(() => local.SendRequestAsync(3, StreamBody.FromString("x")).AsTask(), reason);
        await Await.ClosedAsync(() => local.SendStreamAsync(4, StreamBody.FromString("x")).AsTask(), reason);
        await Await.ClosedAsync(() => clone.SendRequestAsync(5, StreamBody.FromString("x")).AsTask(), reason);
        await Await.ClosedAsync(() => sent.SendUpdateAsync(6, StreamBody.FromString("x")).AsTask(), reason);
        await Await.ClosedAsync(() => received.SendUpdateAsync(7, StreamBody.FromString("x")).AsTask(), reason);
        await Await.ClosedAsync(() => received.SendResponseAsync(8, StreamBody.FromString("x")).AsTask(), reason);
        Assert.That(sent.IsClosed, Is.True);
        Assert.That(received.IsClosed, Is.True);
        Assert.That(local.OpenSentRequests, Is.Zero, "a refused request leaves no ID reserved");
    }
}
