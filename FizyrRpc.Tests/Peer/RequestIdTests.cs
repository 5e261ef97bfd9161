using System.Reflection;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Peer;

/// <summary>
/// Request IDs against a raw remote: the two ID spaces of the vector file's sequences, the counter, duplicate and
/// unknown IDs. The raw socket plays the remote so the IDs on the wire are exactly the ones the test chooses.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class RequestIdTests(LoopbackKind kind)
{
    [Test]
    public async Task SequenceRequestIdZeroOpenBothWays()
    {
        var sequence = WireVectors.Sequences.Single(s => s.Name == "request ID 0 open both ways");
        Assert.That(sequence.Frames, Has.Count.EqualTo(2));
        var (peerRequestFrame, peerResponseFrame) = (sequence.Frames[0], sequence.Frames[1]);
        await using var raw = await Loopback.RawAsync(kind);

        // "we send request id 0 (service 1) and keep it open"
        var ours = await raw.Peer.SendRequestAsync(1, StreamBody.Empty).Within();
        Assert.That(ours.RequestId, Is.Zero);
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Request(0, 1)));

        // "peer sends request id 0 (service 2)": a new received request, no duplicate error, ours still open.
        await raw.SendAsync(peerRequestFrame);
        var theirs = await raw.Peer.ReceiveRequestAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(theirs.Message.Header, Is.EqualTo(MessageHeader.Request(0, 2)));
            Assert.That(ours.IsClosed, Is.False);
            Assert.That(raw.Peer.OpenSentRequests, Is.EqualTo(1));
            Assert.That(raw.Peer.OpenReceivedRequests, Is.EqualTo(1));
        }

        // "peer sends response id 0": it completes OUR request 0; theirs stays open until we answer.
        await raw.SendAsync(peerResponseFrame);
        var response = await ours.ReceiveResponseAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(0, 0)));
            Assert.That(response.Body.ToUtf8String(), Is.EqualTo("ok"));
            Assert.That(theirs.IsClosed, Is.False);
            Assert.That(raw.Peer.OpenSentRequests, Is.Zero);
            Assert.That(raw.Peer.OpenReceivedRequests, Is.EqualTo(1));
        }

        // Their request 0 still takes updates and our answer.
        await raw.SendFrameAsync(MessageHeader.RequesterUpdate(0, 8), [8]);
        Assert.That((await theirs.ReceiveUpdateAsync().Within())?.Header, Is.EqualTo(MessageHeader.RequesterUpdate(0, 8)));
        await theirs.SendResponseAsync(2, StreamBody.FromString("done")).Within();
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(0, 2)));
        Assert.That(body, Is.EqualTo("done"u8.ToArray()));
        Assert.That(raw.Peer.OpenReceivedRequests, Is.Zero);
    }

    [Test]
    public async Task SequenceRequesterUpdateArrivingAtTheRequester()
    {
        var sequence = WireVectors.Sequences.Single(s => s.Name == "requester update arriving at the requester");
        var updateFrame = sequence.Frames.Single();
        await using var raw = await Loopback.RawAsync(kind);

        // "we send request id 4 and keep it open": IDs 0 to 3 go first.
        var sent = new List<SentRequest<StreamBody>>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await raw.Peer.SendRequestAsync(1, StreamBody.Empty).Within());
            Assert.That((await raw.ReceiveMessageAsync()).Header.RequestId, Is.EqualTo((uint)i));
        }

        var ours = sent[4];
        Assert.That(ours.RequestId, Is.EqualTo(4u));

        await raw.SendAsync(updateFrame);
        var error = await raw.Peer.ReceiveProtocolErrorAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Error, Is.EqualTo(ProtocolError.UnknownRequestId));
            Assert.That(error.IsFatal, Is.False);
            Assert.That(error.RequestId, Is.EqualTo(4u));
        }

        // Our request 4 is unaffected: nothing was delivered to it, and its response still arrives.
        await raw.SendFrameAsync(MessageHeader.Response(4, 0), [4]);
        Assert.That(await ours.ReceiveUpdateAsync().Within(), Is.Null);
        Assert.That((await ours.ReceiveResponseAsync().Within()).Bytes(), Is.EqualTo(new byte[] { 4 }));
        Assert.That(raw.Peer.CloseError, Is.Null);
    }

    [Test]
    public async Task AResponderUpdateForARequestWeOnlyReceivedIsUnknown()
    {
        // The mirror of the sequence: responder updates route to requests WE sent; none has ID 3.
        await using var raw = await Loopback.RawAsync(kind);
        await raw.SendFrameAsync(MessageHeader.Request(3, 1));
        var theirs = await raw.Peer.ReceiveRequestAsync();

        await raw.SendFrameAsync(MessageHeader.ResponderUpdate(3, 1), [1]);
        await raw.SendFrameAsync(MessageHeader.Response(3, 0), [2]);
        var updateError = await raw.Peer.ReceiveProtocolErrorAsync();
        var responseError = await raw.Peer.ReceiveProtocolErrorAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((updateError.Error, updateError.RequestId), Is.EqualTo((ProtocolError.UnknownRequestId, (uint?)3)));
            Assert.That((responseError.Error, responseError.RequestId), Is.EqualTo((ProtocolError.UnknownRequestId, (uint?)3)));
            Assert.That(theirs.IsClosed, Is.False, "a response from the remote cannot close a request the remote sent");
        }

        await theirs.SendResponseAsync(0, StreamBody.Empty).Within();
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Response(3, 0)));
    }

    [Test]
    public async Task ConsecutiveRequestsCountFromZero()
    {
        await using var raw = await Loopback.RawAsync(kind);
        for (uint expected = 0; expected < 5; expected++)
        {
            var request = await raw.Peer.SendRequestAsync(9, StreamBody.Empty).Within();
            var (header, _) = await raw.ReceiveMessageAsync();
            Assert.That((request.RequestId, header.RequestId), Is.EqualTo((expected, expected)));

            // Answered before the next one: the counter still moves on, it does not reuse the lowest free ID.
            await raw.SendFrameAsync(MessageHeader.Response(expected, 0));
            await request.ReceiveResponseAsync().Within();
        }
    }

    [Test]
    public async Task ManyOpenRequestsGetDistinctIncreasingIds()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var sent = new List<SentRequest<StreamBody>>();
        for (var i = 0; i < 100; i++)
            sent.Add(await raw.Peer.SendRequestAsync(i, StreamBody.Empty).Within());
        var onWire = new List<uint>();
        for (var i = 0; i < 100; i++)
            onWire.Add((await raw.ReceiveMessageAsync()).Header.RequestId);

        var expected = Enumerable.Range(0, 100).Select(i => (uint)i).ToArray();
        Assert.That(sent.Select(r => r.RequestId), Is.EqualTo(expected));
        Assert.That(onWire, Is.EqualTo(expected));
        Assert.That(raw.Peer.OpenSentRequests, Is.EqualTo(100));
    }

    [Test]
    public async Task TheCounterWrapsAndSkipsIdsStillOpen()
    {
        // Reaching the wrap honestly takes 2^32 requests. The peer is built as Peer.Create builds it, through the
        // internals, and only the counter's private field is set by reflection; everything else runs over the socket.
        using var sockets = await Loopback.SocketPairAsync(kind);
        var connection = new PeerConnection<StreamBody>(new StreamTransport(sockets.Server, null, sockets.ServerInfo), new PeerOptions());
        await using var raw = RawPeer.Over(sockets, new PeerHandle<StreamBody>(connection));
        var run = connection.RunAsync(CancellationToken.None);

        var open = new Dictionary<uint, SentRequest<StreamBody>>();
        for (var i = 0; i < 3; i++)
        {
            var request = await raw.Peer.SendRequestAsync(0, StreamBody.Empty).Within();
            open.Add(request.RequestId, request);
            await raw.ReceiveMessageAsync();
        }

        Assert.That(open.Keys, Is.EqualTo(new uint[] { 0, 1, 2 }));
        await raw.SendFrameAsync(MessageHeader.Response(1, 0));
        await open[1].ReceiveResponseAsync().Within();
        open.Remove(1);

        SetNextId(connection.Tracker, uint.MaxValue - 1);
        var ids = new List<uint>();
        var onWire = new List<uint>();
        for (var i = 0; i < 4; i++)
        {
            var request = await raw.Peer.SendRequestAsync(10 + i, StreamBody.Empty).Within();
            ids.Add(request.RequestId);
            open.Add(request.RequestId, request);
            onWire.Add((await raw.ReceiveMessageAsync()).Header.RequestId);
        }

        // MaxValue - 1, MaxValue, wrap: 0 is open (skipped), 1 was answered (free again), 2 is open (skipped), 3.
        uint[] expected = [uint.MaxValue - 1, uint.MaxValue, 1, 3];
        Assert.That(ids, Is.EqualTo(expected));
        Assert.That(onWire, Is.EqualTo(expected));

        // Every open request, old and new, gets its own response.
        foreach (var id in open.Keys)
            await raw.SendFrameAsync(MessageHeader.Response(id, 0), BitConverter.GetBytes(id));
        foreach (var (id, request) in open)
            Assert.That((await request.ReceiveResponseAsync().Within()).Bytes(), Is.EqualTo(BitConverter.GetBytes(id)));
        Assert.That(raw.Peer.OpenSentRequests, Is.Zero);
        Assert.That(run.IsCompleted, Is.False);
    }

    private static void SetNextId(RequestTracker<StreamBody> tracker, uint value)
    {
        var field = typeof(RequestTracker<StreamBody>).GetField("_nextId", BindingFlags.NonPublic | BindingFlags.Instance);
        Assert.That(field, Is.Not.Null, "RequestTracker's counter field was renamed: update this test");
        field!.SetValue(tracker, value);
    }

    [Test]
    public async Task ADuplicateReceivedRequestIdIsReportedAndDropped()
    {
        var vector = WireVectors.GetInvalid("duplicate open request id");
        await using var raw = await Loopback.RawAsync(kind);
        await raw.SendAsync(vector.Framed);

        var first = await raw.Peer.ReceiveRequestAsync();
        Assert.That(first.Message.Header, Is.EqualTo(MessageHeader.Request(5, 1)));
        var error = await raw.Peer.ReceiveProtocolErrorAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Error, Is.EqualTo(ProtocolError.DuplicateRequestId));
            Assert.That(error.IsFatal, Is.False);
            Assert.That(error.RequestId, Is.EqualTo(5u));
            Assert.That(raw.Peer.OpenReceivedRequests, Is.EqualTo(1));
            Assert.That(raw.Peer.CloseError, Is.Null);
        }

        // The connection goes on: another request arrives, and the first one is answered exactly once.
        await raw.SendFrameAsync(MessageHeader.Request(6, 2), [6]);
        var second = await raw.Peer.ReceiveRequestAsync();
        Assert.That(second.Message.Header, Is.EqualTo(MessageHeader.Request(6, 2)));
        await first.SendResponseAsync(1, new byte[] { 5 }).Within();
        await second.SendResponseAsync(2, new byte[] { 6 }).Within();
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Response(5, 1)));
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Response(6, 2)));

        // Once answered, ID 5 is free again: the same ID is a new request, not a duplicate.
        await raw.SendFrameAsync(MessageHeader.Request(5, 3));
        var again = await raw.Peer.ReceiveRequestAsync();
        Assert.That(again.Message.Header, Is.EqualTo(MessageHeader.Request(5, 3)));
    }

    [TestCase("response for unknown request id")]
    [TestCase("update for unknown request id")]
    public async Task AnUnknownRequestIdIsReportedAndDropped(string vectorName)
    {
        var vector = WireVectors.GetInvalid(vectorName);
        await using var raw = await Loopback.RawAsync(kind);
        await raw.SendAsync(vector.Framed);

        var error = await raw.Peer.ReceiveProtocolErrorAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Error, Is.EqualTo(ProtocolError.UnknownRequestId));
            Assert.That(error.IsFatal, Is.False);
            Assert.That(error.RequestId, Is.EqualTo(999u));
            Assert.That(raw.Peer.CloseError, Is.Null);
        }

        // The connection still works both ways: an echo from the remote, and a request of ours.
        await raw.SendFrameAsync(MessageHeader.Request(1, 0), "Hello World"u8);
        var echo = await raw.Peer.ReceiveRequestAsync();
        await echo.SendResponseAsync(0, echo.Body).Within();
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(1, 0)));
        Assert.That(body, Is.EqualTo("Hello World"u8.ToArray()));

        var ours = await raw.Peer.SendRequestAsync(4, StreamBody.Empty).Within();
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Request(ours.RequestId, 4)));
        await raw.SendFrameAsync(MessageHeader.Response(ours.RequestId, 0));
        await ours.ReceiveResponseAsync().Within();
    }

    [Test]
    public async Task UpdatesAfterTheResponseAreUnknownInBothSpaces()
    {
        await using var raw = await Loopback.RawAsync(kind);

        // A request of ours, answered: a responder update for its ID afterwards is unknown.
        var ours = await raw.Peer.SendRequestAsync(1, StreamBody.Empty).Within();
        await raw.ReceiveMessageAsync();
        await raw.SendFrameAsync(MessageHeader.Response(ours.RequestId, 0));
        await ours.ReceiveResponseAsync().Within();
        await raw.SendFrameAsync(MessageHeader.ResponderUpdate(ours.RequestId, 1));
        var late = await raw.Peer.ReceiveProtocolErrorAsync();
        Assert.That((late.Error, late.RequestId), Is.EqualTo((ProtocolError.UnknownRequestId, (uint?)ours.RequestId)));

        // A request of theirs, answered by us: a requester update for its ID afterwards is unknown.
        await raw.SendFrameAsync(MessageHeader.Request(5, 1));
        var theirs = await raw.Peer.ReceiveRequestAsync();
        await theirs.SendResponseAsync(0, StreamBody.Empty).Within();
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Response(5, 0)));
        await raw.SendFrameAsync(MessageHeader.RequesterUpdate(5, 1));
        var lateUpdate = await raw.Peer.ReceiveProtocolErrorAsync();
        Assert.That((lateUpdate.Error, lateUpdate.RequestId), Is.EqualTo((ProtocolError.UnknownRequestId, (uint?)5)));
        Assert.That(raw.Peer.CloseError, Is.Null);
    }

    [Test]
    public async Task ADisposedSentRequestKeepsItsIdUntilItsResponseArrives()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var request = await raw.Peer.SendRequestAsync(1, StreamBody.Empty).Within();
        await raw.ReceiveMessageAsync();
        request.Dispose();
        Assert.That(raw.Peer.OpenSentRequests, Is.EqualTo(1), "the remote may still answer: the ID stays reserved");

        // What arrives for it is dropped quietly (it is not an unknown ID); the response frees the ID.
        await raw.SendFrameAsync(MessageHeader.ResponderUpdate(request.RequestId, 1), [1]);
        await raw.SendFrameAsync(MessageHeader.Response(request.RequestId, 0), [2]);
        await raw.SendFrameAsync(MessageHeader.Stream(9));
        Assert.That((await raw.Peer.ReceiveStreamAsync()).ServiceId, Is.EqualTo(9));
        Assert.That(raw.Peer.OpenSentRequests, Is.Zero);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await request.ReceiveResponseAsync());
    }

    [Test]
    public async Task ReadMessagesAsyncSkipsDroppedMessages()
    {
        await using var raw = await Loopback.RawAsync(kind);
        await raw.SendAsync(WireVectors.GetInvalid("response for unknown request id").Framed);
        await raw.SendAsync(WireVectors.GetInvalid("duplicate open request id").Framed);
        await raw.SendFrameAsync(MessageHeader.Stream(7));

        var seen = new List<MessageHeader>();
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        await foreach (var message in raw.Peer.ReadMessagesAsync(timeout.Token))
        {
            seen.Add(message.Header);
            if (seen.Count == 2)
                break;
        }

        Assert.That(seen, Is.EqualTo(new[] { MessageHeader.Request(5, 1), MessageHeader.Stream(7) }));
    }
}
