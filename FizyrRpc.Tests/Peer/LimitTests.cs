using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Peer;

/// <summary>
/// The write limit (a message too large is refused before any byte of it is written, and the connection goes on),
/// large bodies, many requests in flight and responses out of order, over TCP and Unix stream sockets.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class LimitTests(LoopbackKind kind)
{
    private const int Limit = 64;

    private static StreamConfig SmallWrites => new() { MaxBodyLengthWrite = Limit };

    private static byte[] TooLarge => new byte[Limit + 1];

    [Test]
    public async Task ATooLargeRequestIsRefusedAndTheNextOneGoesOut()
    {
        await using var raw = await Loopback.RawAsync(kind, SmallWrites);
        var error = (await Assert.ThrowsAsync<MessageTooLargeException>(async () => await raw.Peer.SendRequestAsync(1, TooLarge)))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That((error.BodyLength, error.Limit), Is.EqualTo((Limit + 1L, (long)Limit)));
            Assert.That(raw.Peer.OpenSentRequests, Is.Zero, "the refused request holds no ID");
            Assert.That(raw.Peer.CloseError, Is.Null);
        }

        // A body of exactly the limit is fine; it is the very next thing on the wire.
        var body = Enumerable.Range(0, Limit).Select(i => (byte)i).ToArray();
        var request = await raw.Peer.SendRequestAsync(2, body).Within();
        var (header, written) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Request(request.RequestId, 2)));
        Assert.That(written, Is.EqualTo(body));
        await raw.SendFrameAsync(MessageHeader.Response(request.RequestId, 0), [1]);
        Assert.That((await request.ReceiveResponseAsync().Within()).Bytes(), Is.EqualTo(new byte[] { 1 }));
    }

    [Test]
    public async Task ATooLargeStreamMessageIsRefused()
    {
        await using var raw = await Loopback.RawAsync(kind, SmallWrites);
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await raw.Peer.SendStreamAsync(1, TooLarge));
        await raw.Peer.SendStreamAsync(2, new byte[] { 2 }).Within();
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Stream(2)));
    }

    [Test]
    public async Task ATooLargeRequesterUpdateIsRefusedAndTheRequestGoesOn()
    {
        await using var raw = await Loopback.RawAsync(kind, SmallWrites);
        var request = await raw.Peer.SendRequestAsync(1, StreamBody.Empty).Within();
        await raw.ReceiveMessageAsync();

        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await request.SendUpdateAsync(3, TooLarge));
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await request.CreateWriteHandle().SendUpdateAsync(3, TooLarge));
        await request.SendUpdateAsync(4, new byte[] { 4 }).Within();
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.RequesterUpdate(request.RequestId, 4)));
        Assert.That(request.IsClosed, Is.False);
    }

    [Test]
    public async Task ATooLargeResponderUpdateIsRefusedAndTheRequestGoesOn()
    {
        await using var raw = await Loopback.RawAsync(kind, SmallWrites);
        await raw.SendFrameAsync(MessageHeader.Request(8, 1));
        var received = await raw.Peer.ReceiveRequestAsync();

        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await received.SendUpdateAsync(3, TooLarge));
        await received.SendUpdateAsync(4, new byte[] { 4 }).Within();
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.ResponderUpdate(8, 4)));
    }

    [Test]
    public async Task ATooLargeResponseLeavesTheRequestOpenToBeAnswered()
    {
        await using var raw = await Loopback.RawAsync(kind, SmallWrites);
        await raw.SendFrameAsync(MessageHeader.Request(9, 1));
        var received = await raw.Peer.ReceiveRequestAsync();

        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await received.SendResponseAsync(1, TooLarge));
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await received.SendErrorResponseAsync(new string('x', Limit + 1)));
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await received.CreateWriteHandle().SendResponseAsync(1, TooLarge));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(received.IsClosed, Is.False);
            Assert.That(raw.Peer.OpenReceivedRequests, Is.EqualTo(1));
        }

        // Still open: it takes requester updates and its answer, which is the first thing the raw remote sees.
        await raw.SendFrameAsync(MessageHeader.RequesterUpdate(9, 2), [2]);
        Assert.That((await received.ReceiveUpdateAsync().Within())?.Header, Is.EqualTo(MessageHeader.RequesterUpdate(9, 2)));
        await received.SendResponseAsync(1, new byte[] { 1 }).Within();
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(9, 1)));
        Assert.That(body, Is.EqualTo(new byte[] { 1 }));
        Assert.That(raw.Peer.OpenReceivedRequests, Is.Zero);
    }

    [Test]
    public async Task ATooLargeErrorResponseLeavesTheRequestOpenForAShorterOne()
    {
        await using var raw = await Loopback.RawAsync(kind, SmallWrites);
        await raw.SendFrameAsync(MessageHeader.Request(10, 1));
        var received = await raw.Peer.ReceiveRequestAsync();
        await Assert.ThrowsAsync<MessageTooLargeException>(async () => await received.SendErrorResponseAsync(new string('x', Limit + 1)));

        await received.SendErrorResponseAsync("short").Within();
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(10)));
        Assert.That(body, Is.EqualTo("short"u8.ToArray()));
    }

    [Test]
    public async Task OneMebibyteBodiesRoundTripIntact()
    {
        var config = new StreamConfig { MaxBodyLengthRead = 16 << 20, MaxBodyLengthWrite = 16 << 20 };
        await using var pair = await Loopback.PairAsync(kind, config);
        var body = new byte[1 << 20];
        new Random(1234).NextBytes(body);
        var reversed = body.Reverse().ToArray();

        var request = await pair.Client.SendRequestAsync(1, body).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        Assert.That(received.Body.Span.SequenceEqual(body), Is.True, "the request body arrived changed");
        await received.SendUpdateAsync(2, reversed).Within();
        await received.SendResponseAsync(3, body).Within();

        var update = await request.ReceiveUpdateAsync().Within();
        var response = await request.ReceiveResponseAsync().Within();
        Assert.That(update!.Value.Body.Span.SequenceEqual(reversed), Is.True, "the update body arrived changed");
        Assert.That(response.Body.Span.SequenceEqual(body), Is.True, "the response body arrived changed");
    }

    [Test]
    public async Task TwoHundredConcurrentRequestsAllCompleteWithTheirOwnBodies()
    {
        const int count = 200;
        await using var pair = await Loopback.PairAsync(kind);

        // The server answers each request from its own task, in whatever order they finish.
        var server = Task.Run(async () =>
        {
            var answers = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var request = await pair.Server.ReceiveRequestAsync();
                answers.Add(Task.Run(async () =>
                {
                    await request.SendUpdateAsync(request.ServiceId, request.Body.Data.ToArray());
                    await request.SendResponseAsync(request.ServiceId, request.Body.Data.ToArray().Reverse().ToArray());
                }));
            }

            await Task.WhenAll(answers);
        });

        var clients = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            var body = System.Text.Encoding.UTF8.GetBytes($"request number {i}");
            var request = await pair.Client.SendRequestAsync(i, body);
            var update = await request.ReceiveUpdateAsync();
            var response = await request.ReceiveResponseAsync();
            Assert.That(update?.Bytes(), Is.EqualTo(body), $"update of request {i}");
            Assert.That(response.ServiceId, Is.EqualTo(i));
            Assert.That(response.Bytes(), Is.EqualTo(body.Reverse().ToArray()), $"response of request {i}");
            return request.RequestId;
        })).ToArray();

        var ids = await Task.WhenAll(clients).Within();
        await server.Within();
        Assert.That(ids.Distinct().Count(), Is.EqualTo(count));
        Assert.That(pair.Client.OpenSentRequests, Is.Zero);
        Assert.That(pair.Server.OpenReceivedRequests, Is.Zero);
    }

    [Test]
    public async Task ResponsesOutOfOrderReachTheirOwnRequests()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var requests = new List<SentRequest<StreamBody>>();
        for (var i = 0; i < 5; i++)
        {
            requests.Add(await raw.Peer.SendRequestAsync(i, StreamBody.Empty).Within());
            await raw.ReceiveMessageAsync();
        }

        // Answered last first, with a responder update in between for a request answered later.
        foreach (var i in new[] { 4, 1, 3, 0, 2 })
        {
            if (i == 1)
                await raw.SendFrameAsync(MessageHeader.ResponderUpdate(requests[2].RequestId, 22), [22]);
            await raw.SendFrameAsync(MessageHeader.Response(requests[i].RequestId, 100 + i), [(byte)i]);
        }

        for (var i = 0; i < 5; i++)
        {
            if (i == 2)
                Assert.That((await requests[i].ReceiveUpdateAsync().Within())?.Bytes(), Is.EqualTo(new byte[] { 22 }));
            var response = await requests[i].ReceiveResponseAsync().Within();
            Assert.That((response.ServiceId, response.Bytes()), Is.EqualTo((100 + i, new[] { (byte)i })));
        }
    }

    [Test]
    public async Task AnsweringOutOfOrderBetweenTwoPeersWorks()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var requests = new List<SentRequest<StreamBody>>();
        for (var i = 0; i < 4; i++)
            requests.Add(await pair.Client.SendRequestAsync(i, new[] { (byte)i }).Within());
        var received = new List<ReceivedRequest<StreamBody>>();
        for (var i = 0; i < 4; i++)
            received.Add(await pair.Server.ReceiveRequestAsync());

        for (var i = 3; i >= 0; i--)
            await received[i].SendResponseAsync(i, received[i].Body).Within();
        for (var i = 0; i < 4; i++)
        {
            var response = await requests[i].ReceiveResponseAsync().Within();
            Assert.That((response.ServiceId, response.Bytes()), Is.EqualTo((i, new[] { (byte)i })));
        }
    }
}
