using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Transports;

/// <summary>Accepting on the real listeners: cancellable, and the listener goes on accepting after a cancelled accept.</summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class AcceptTests(LoopbackKind kind)
{
    [Test]
    public async Task PendingAcceptIsCancelledAndTheListenerGoesOn()
    {
        await using var listener = await TestListener.StartAsync(kind);
        using var cancel = new CancellationTokenSource();

        var accept = listener.AcceptAsync(cancel.Token);
        Assert.That(accept.IsCompleted, Is.False);
        await cancel.CancelAsync();
        await Await.ThrowsAsync<OperationCanceledException>(() => accept);

        await listener.AssertEchoAsync();
    }

    [Test]
    public async Task AcceptWithATokenAlreadyCancelledThrowsAtOnce()
    {
        await using var listener = await TestListener.StartAsync(kind);

        await Await.ThrowsAsync<OperationCanceledException>(() => listener.AcceptAsync(new CancellationToken(true)));

        await listener.AssertEchoAsync();
    }

    [Test]
    public async Task AcceptAllAsyncYieldsConnectionsUntilCancelled()
    {
        await using var listener = await TestListener.StartAsync(kind);
        using var cancel = new CancellationTokenSource();
        await using var accepted = listener.AcceptAllAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);

        for (var i = 0; i < 2; i++)
        {
            var next = accepted.MoveNextAsync().AsTask();
            await using var client = await listener.ConnectAsync();
            Assert.That(await next.WithTimeout(), Is.True);
            await using var server = accepted.Current;
            await TestListener.AssertEchoAsync(client, server);
        }

        var pending = accepted.MoveNextAsync().AsTask();
        Assert.That(pending.IsCompleted, Is.False);
        await cancel.CancelAsync();
        await Await.ThrowsAsync<OperationCanceledException>(() => pending);
    }

    [Test]
    public async Task PendingAcceptEndsWithObjectDisposedWhenTheListenerIsDisposed()
    {
        var listener = await TestListener.StartAsync(kind);
        Task<PeerHandle<StreamBody>> accept;
        try
        {
            accept = listener.AcceptAsync(CancellationToken.None);
            Assert.That(accept.IsCompleted, Is.False);
        }
        finally
        {
            await listener.DisposeAsync();
        }

        await Await.ThrowsAsync<ObjectDisposedException>(() => accept);
    }

    [Test]
    public async Task AcceptAfterTheListenerIsDisposedThrowsObjectDisposed()
    {
        var listener = await TestListener.StartAsync(kind);
        await listener.DisposeAsync();

        await Await.ThrowsAsync<ObjectDisposedException>(() => listener.AcceptAsync(CancellationToken.None));
    }
}
