using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Peer;

/// <summary>Stream messages: no reply, no conversation, request ID 0 on the wire; both ways, over TCP and Unix stream.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class StreamMessageTests(LoopbackKind kind)
{
    [Test]
    public async Task StreamMessagesGoBothWays()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await pair.Client.SendStreamAsync(3, StreamBody.FromString("to server")).Within();
        await pair.Server.SendStreamAsync(-4, StreamBody.FromString("to client")).Within();

        var atServer = await pair.Server.ReceiveStreamAsync();
        var atClient = await pair.Client.ReceiveStreamAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(atServer.Header, Is.EqualTo(MessageHeader.Stream(3)));
            Assert.That(atServer.Body.ToUtf8String(), Is.EqualTo("to server"));
            Assert.That(atClient.Header, Is.EqualTo(MessageHeader.Stream(-4)));
            Assert.That(atClient.Body.ToUtf8String(), Is.EqualTo("to client"));
            Assert.That(pair.Client.OpenSentRequests + pair.Server.OpenReceivedRequests, Is.Zero, "a stream opens nothing");
        }
    }

    [Test]
    public async Task StreamMessagesInterleaveWithRequestsInOrder()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await pair.Client.SendStreamAsync(1, StreamBody.Empty).Within();
        var request = await pair.Client.SendRequestAsync(2, StreamBody.Empty).Within();
        await pair.Client.SendStreamAsync(3, StreamBody.Empty).Within();

        var first = await pair.Server.ReceiveMessageAsync().Within();
        var second = await pair.Server.ReceiveMessageAsync().Within();
        var third = await pair.Server.ReceiveMessageAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.TryGetStream(out var stream1) && stream1.ServiceId == 1, Is.True);
            Assert.That(second.TryGetRequest(out var received) && received.ServiceId == 2, Is.True);
            Assert.That(second.TryGetStream(out _), Is.False);
            Assert.That(third.IsStream && third.Header.ServiceId == 3, Is.True);
        }

        await second.Request!.SendResponseAsync(0, StreamBody.Empty).Within();
        await request.ReceiveResponseAsync().Within();
    }

    [Test]
    public async Task AStreamMessageCarriesRequestIdZeroOnTheWire()
    {
        await using var raw = await Loopback.RawAsync(kind);

        // Even with requests of ours open (so the request counter is past 0), a stream message says request ID 0.
        for (var i = 0; i < 3; i++)
            await raw.Peer.SendRequestAsync(0, StreamBody.Empty).Within();
        await raw.Peer.SendStreamAsync(0x01020304, new byte[] { 0xaa, 0xbb }).Within();
        for (var i = 0; i < 3; i++)
            await raw.ReceiveFrameBytesAsync();

        var frame = await raw.ReceiveFrameBytesAsync();
        var expected = WireVectors.FromHex("0e000000 04000000 00000000 04030201 aabb");
        Assert.That(Convert.ToHexString(frame), Is.EqualTo(Convert.ToHexString(expected)));
    }

    [Test]
    public async Task AStreamMessageWithAnyRequestIdIsDeliveredAsAStream()
    {
        // The request ID of a stream message is unused: a remote that fills it in is not routed to a request.
        await using var raw = await Loopback.RawAsync(kind);
        var ours = await raw.Peer.SendRequestAsync(0, StreamBody.Empty).Within();
        await raw.SendFrameAsync(new MessageHeader(MessageType.Stream, ours.RequestId, 6), [6]);
        await raw.SendFrameAsync(new MessageHeader(MessageType.Stream, 12345, 7), [7]);

        var first = await raw.Peer.ReceiveStreamAsync();
        var second = await raw.Peer.ReceiveStreamAsync();
        Assert.That((first.ServiceId, second.ServiceId), Is.EqualTo((6, 7)));
        Assert.That(ours.IsClosed, Is.False);
        Assert.That(raw.Peer.OpenSentRequests, Is.EqualTo(1));
    }
}
