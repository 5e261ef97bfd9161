namespace FizyrRpc.Tests.Lifetime;

/// <summary>What every ended connection shows, whatever ended it.</summary>
internal static class ConnectionAssert
{
    /// <summary>Completion completes, CloseError tells <paramref name="reason"/>, and ConnectionClosed is cancelled.</summary>
    public static async Task EndedAsync(PeerHandle<StreamBody> peer, CloseReason reason)
    {
        await peer.Completion.WithTimeout();
        Assert.That(peer.CloseError, Is.Not.Null);
        Assert.That(peer.CloseError!.Reason, Is.EqualTo(reason), peer.CloseError.ToString());
        Assert.That(peer.ConnectionClosed.IsCancellationRequested, Is.True);
    }

    /// <summary>The remote of a connection sees it closed: its next read fails with ClosedByRemote.</summary>
    public static async Task SeesRemoteCloseAsync(PeerHandle<StreamBody> remote)
    {
        await Await.ClosedAsync(() => remote.ReceiveMessageAsync().AsTask(), CloseReason.ClosedByRemote);
        await EndedAsync(remote, CloseReason.ClosedByRemote);
    }

    /// <summary>The connection is still open and carries a request both ways.</summary>
    public static async Task WorksAsync(PeerHandle<StreamBody> local, PeerHandle<StreamBody> remote)
    {
        Assert.That(local.CloseError, Is.Null);
        await Transports.TestListener.AssertEchoAsync(local, remote);
        await Transports.TestListener.AssertEchoAsync(remote, local);
    }
}
