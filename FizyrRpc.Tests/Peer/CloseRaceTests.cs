using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Peer;

/// <summary>
/// Closing a connection locally at the moment the remote hangs up. Found by the peer tests (Close touched a
/// cancellation source the finished run had already disposed, and PeerHandle.DisposeAsync threw
/// ObjectDisposedException); kept as a regression test.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class CloseRaceTests(LoopbackKind kind)
{
    // The race is narrow; each attempt hits it most of the time, a few attempts nearly always.
    private const int Attempts = 3;

    [Test]
    public async Task DisposingThePeerWhileTheRemoteHangsUpDoesNotThrow()
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var thrown = await DisposeWhileTheRemoteHangsUpAsync();
            Assert.That(thrown, Is.Null, () => $"attempt {attempt}: PeerHandle.DisposeAsync threw while the remote hung up: {thrown}");
        }
    }

    /// <summary>Returns what the peer's DisposeAsync threw, if anything.</summary>
    private async Task<Exception?> DisposeWhileTheRemoteHangsUpAsync()
    {
        // Many open requests make the local close spend a while failing them. The first one to fail hangs up the
        // remote, so the read loop sees the end of stream in the middle of that close, and the connection can finish
        // winding down (and dispose what the close still uses) before the close itself is done.
        const int openRequests = 20_000;
        await using var raw = await Loopback.RawAsync(kind, options: new PeerOptions { OutgoingQueueCapacity = openRequests, MaxOpenSentRequests = openRequests });
        var requests = new List<SentRequest<StreamBody>>(openRequests);
        for (var i = 0; i < openRequests; i++)
            requests.Add(await raw.Peer.SendRequestAsync(0, StreamBody.Empty).Within());

        // Every request is on the wire, so the writer is idle and ends as soon as the close completes its queue.
        await raw.ReceiveExactlyAsync(openRequests * StreamFraming.PrefixAndHeaderSize);
        var drain = Task.Run(() => DrainAsync(raw.Socket));
        var hangUp = Task.Run(async () =>
        {
            try
            {
                await requests[0].ReceiveResponseAsync();
            }
            catch (ConnectionClosedException)
            {
                // Failed by the local close: now hang up.
            }

            raw.Socket.Shutdown(SocketShutdown.Both);
        });

        Exception? thrown = null;
        try
        {
            await raw.Peer.DisposeAsync().AsTask().WaitAsync(Loopback.Timeout);
        }
        catch (Exception error) when (error is not TimeoutException)
        {
            thrown = error;
        }

        await hangUp.Within();
        await drain.Within();
        await raw.Peer.Completion.Within();
        Assert.That(raw.Peer.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedLocally));
        return thrown;
    }

    private static async Task DrainAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
    }
}
