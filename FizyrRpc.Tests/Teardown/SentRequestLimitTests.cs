using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Teardown;

/// <summary>
/// The table of sent requests is bounded (<see cref="PeerOptions.MaxOpenSentRequests"/>): against a remote that never
/// answers, cancelled or disposed requests keep their IDs, and the table used to grow without end (issue 11).
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class SentRequestLimitTests(LoopbackKind kind)
{
    [Test]
    public async Task BeyondTheLimitASendFailsClearlyAndWritesNothingUntilAnAnswerFreesAnId()
    {
        await using var raw = await Loopback.RawAsync(kind, options: new PeerOptions { MaxOpenSentRequests = 2 });
        var first = await raw.Peer.SendRequestAsync(1, StreamBody.Empty).Within();
        var second = await raw.Peer.SendRequestAsync(1, StreamBody.Empty).Within();
        first.Dispose(); // a disposed request keeps its ID until the remote answers
        second.Dispose();

        var error = await TestWaits.ThrowsAsync<InvalidOperationException>(() => raw.Peer.SendRequestAsync(1, StreamBody.Empty).AsTask());
        Assert.That(error.Message, Does.Contain("MaxOpenSentRequests"));
        Assert.That(raw.Peer.OpenSentRequests, Is.EqualTo(2));

        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Request(0, 1)));
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Request(1, 1)));
        await raw.SendFrameAsync(MessageHeader.Response(0, 1));
        var third = await SendWhenFreeAsync(raw.Peer);
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Request(third.RequestId, 1)), "nothing else was written before it");
    }

    // The answer frees the ID once the read loop has routed it: retry on the limit's error until then (each attempt
    // is refused before anything is written), bounded by the test timeout.
    private static async Task<SentRequest<StreamBody>> SendWhenFreeAsync(PeerHandle<StreamBody> peer)
    {
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        while (true)
        {
            timeout.Token.ThrowIfCancellationRequested();
            try
            {
                return await peer.SendRequestAsync(1, StreamBody.Empty);
            }
            catch (InvalidOperationException)
            {
                await Task.Yield();
            }
        }
    }
}
