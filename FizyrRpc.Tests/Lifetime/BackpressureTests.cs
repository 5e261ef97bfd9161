using System.Text;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// A remote that floods us while nobody reads (or while our answers pile up unread on its side) is met with
/// backpressure: the peer stops reading the socket, so the raw sender soon cannot write any more, after no more bytes
/// than the kernel buffers, the read buffer and the bounded queues can hold. Once the reader reads, everything arrives
/// in order.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class BackpressureTests(LoopbackKind kind)
{
    // What the stream transport may have read ahead: its pipe reads up to 64 KiB at a time, plus the frame it waits on.
    private const long ReadAheadBound = 128 * 1024;
    private const int BodyLength = 1024;
    private const int FrameLength = StreamFraming.PrefixAndHeaderSize + BodyLength;

    // The most a flood of frames can put in flight before the peer stops reading: the kernel's buffers, what the
    // transport read ahead, and the full queue plus the frame waiting for room in it.
    private static long StallBound(SocketBuffers buffers, int queueCapacity) =>
        buffers.InFlightBound + ReadAheadBound + ((queueCapacity + 1L) * FrameLength);

    /// <summary>Why the peer answers requests on its own, without anyone reading them.</summary>
    public enum Refusal
    {
        ReadHandleDisposed,
        TooManyOpenRequests,
    }

    [Test]
    public async Task UnreadStreamFloodStopsTheReadingThenArrivesInOrder()
    {
        var options = new PeerOptions { IncomingQueueCapacity = 4 };
        var (raw, buffers) = await SmallBufferPeer.ConnectAsync(kind, options);
        await using var _ = raw;
        var local = raw.Peer;
        // The kernel, the read-ahead, the queue, and the message the read loop holds while it waits for room.
        var bound = StallBound(buffers, options.IncomingQueueCapacity);
        var count = (int)(2 * bound / FrameLength) + 1;
        var data = Flood.Frames(count, BodyLength, i => MessageHeader.Stream(i % 1000));

        var taken = Flood.SendUntilStalled(raw.Socket, data, bound);
        TestContext.Out.WriteLine($"{taken} of {data.Length} bytes taken before the stall; bound {bound}; {buffers}");

        Assert.That(taken, Is.LessThanOrEqualTo(bound), $"the peer kept reading: {taken} bytes taken ({buffers})");
        Assert.That(local.CloseError, Is.Null);
        var rest = raw.SendAsync(data.AsMemory((int)taken));
        for (var i = 0; i < count; i++)
        {
            var message = await local.ReceiveMessageAsync().WithTimeout();
            Assert.That(message.Header, Is.EqualTo(MessageHeader.Stream(i % 1000)), $"message {i}");
            Assert.That(Flood.Number(message.Message.Body.Span), Is.EqualTo(i));
        }

        await rest.WithTimeout();
        Assert.That(local.CloseError, Is.Null);
    }

    [Test]
    public async Task UnreadRequestFloodStopsTheReadingThenEveryRequestIsServedInOrder()
    {
        var options = new PeerOptions { IncomingQueueCapacity = 4 };
        var (raw, buffers) = await SmallBufferPeer.ConnectAsync(kind, options);
        await using var _ = raw;
        var local = raw.Peer;
        var bound = StallBound(buffers, options.IncomingQueueCapacity);
        var count = (int)(2 * bound / FrameLength) + 1;
        Assert.That(count, Is.LessThan(options.MaxOpenReceivedRequests));
        var data = Flood.Frames(count, BodyLength, i => MessageHeader.Request((uint)i, 1));

        var taken = Flood.SendUntilStalled(raw.Socket, data, bound);
        TestContext.Out.WriteLine($"{taken} of {data.Length} bytes taken before the stall; bound {bound}; {buffers}");

        Assert.That(taken, Is.LessThanOrEqualTo(bound), $"the peer kept reading: {taken} bytes taken ({buffers})");
        Assert.That(local.OpenReceivedRequests, Is.LessThanOrEqualTo(options.IncomingQueueCapacity + 1));
        var rest = raw.SendAsync(data.AsMemory((int)taken));
        var responses = ReadResponsesAsync(raw, count);
        for (var i = 0; i < count; i++)
        {
            var request = (await local.ReceiveMessageAsync().WithTimeout()).Request!;
            Assert.That(request.RequestId, Is.EqualTo((uint)i));
            Assert.That(Flood.Number(request.Body.Span), Is.EqualTo(i));
            await request.SendResponseAsync(1, StreamBody.Empty).WithTimeout();
        }

        await rest.WithTimeout();
        Assert.That(await responses.WithTimeout(), Is.EqualTo(count));
        Assert.That(local.OpenReceivedRequests, Is.Zero);
    }

    [Test]
    public async Task RequestsThePeerRefusesStopTheReadingWhileTheRefusalsAreUnread([Values] Refusal refusal)
    {
        // Each request makes the peer queue an error response of its own. The raw side reads none of them, so the
        // peer's outgoing queue fills and its read loop must wait instead of piling up answers in memory.
        var options = new PeerOptions { OutgoingQueueCapacity = 4, MaxOpenReceivedRequests = 2 };
        var (raw, buffers) = await SmallBufferPeer.ConnectAsync(kind, options);
        await using var _ = raw;
        var local = raw.Peer;
        PeerWriteHandle<StreamBody>? write = null;
        if (refusal == Refusal.ReadHandleDisposed)
        {
            var (read, keep) = local.Split();
            read.Dispose();
            write = keep;
        }

        try
        {
            // Bodies keep the number of requests (each answered on its own) small for the bytes they take.
            const int requestBodyLength = 240;
            const int requestLength = StreamFraming.PrefixAndHeaderSize + requestBodyLength;
            var kept = refusal == Refusal.TooManyOpenRequests ? options.MaxOpenReceivedRequests : 0;
            var errorText = refusal == Refusal.TooManyOpenRequests
                ? "too many open requests (limit 2)"
                : "unexpected request for service 0";
            var answerLength = StreamFraming.PrefixAndHeaderSize + Encoding.UTF8.GetByteCount(errorText);
            // Answers the kernel and the writer can hold (one batch is at most 256 messages), each for one request.
            var answersHeld = ((buffers.PeerSend + buffers.RawReceive) / answerLength) + 256 + options.OutgoingQueueCapacity + 1;
            var bound = buffers.InFlightBound + ReadAheadBound + (2L * (answersHeld + kept) * requestLength);
            // A quarter more than the bound: enough to show a peer that keeps reading, and cheap to answer.
            var count = (int)((bound + (bound / 4)) / requestLength);
            var data = Flood.Frames(count, requestBodyLength, i => MessageHeader.Request((uint)i, 0));

            var taken = Flood.SendUntilStalled(raw.Socket, data, bound);
            TestContext.Out.WriteLine($"{taken} of {data.Length} bytes taken before the stall; bound {bound}; {buffers}");

            Assert.That(taken, Is.LessThanOrEqualTo(bound), $"the peer kept reading: {taken} bytes taken ({buffers})");
            Assert.That(local.CloseError, Is.Null);
            var rest = raw.SendAsync(data.AsMemory((int)taken));
            var expected = new byte[(count - kept) * answerLength];
            for (var i = kept; i < count; i++)
            {
                var frame = RawPeer.Frame(MessageHeader.ErrorResponse((uint)i), Encoding.UTF8.GetBytes(errorText), Endian.Little);
                frame.CopyTo(expected, (i - kept) * answerLength);
            }

            var answers = await raw.ReceiveExactlyAsync(expected.Length);
            await rest.WithTimeout();
            Assert.That(answers, Is.EqualTo(expected), "every refused request is answered, in order");
            Assert.That(local.CloseError, Is.Null);
        }
        finally
        {
            write?.Dispose();
        }
    }

    [Test]
    public async Task UnreadUpdateFloodStopsTheReadingThenArrivesInOrder([Values] bool toSentRequest)
    {
        var options = new PeerOptions { UpdateQueueCapacity = 4 };
        var (raw, buffers) = await SmallBufferPeer.ConnectAsync(kind, options);
        await using var _ = raw;
        var local = raw.Peer;
        // Responder updates for a request we sent, or requester updates for a request we received.
        SentRequest<StreamBody>? sent = null;
        ReceivedRequest<StreamBody>? received = null;
        uint requestId;
        if (toSentRequest)
        {
            sent = await local.SendRequestAsync(1, StreamBody.Empty);
            requestId = sent.RequestId;
            Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Request(requestId, 1)));
        }
        else
        {
            requestId = 77;
            await raw.SendFrameAsync(MessageHeader.Request(requestId, 1));
            received = (await local.ReceiveMessageAsync().WithTimeout()).Request!;
        }

        var bound = StallBound(buffers, options.UpdateQueueCapacity);
        var count = (int)(2 * bound / FrameLength) + 1;
        var data = Flood.Frames(count, BodyLength, i => toSentRequest
            ? MessageHeader.ResponderUpdate(requestId, i % 1000)
            : MessageHeader.RequesterUpdate(requestId, i % 1000));

        var taken = Flood.SendUntilStalled(raw.Socket, data, bound);
        TestContext.Out.WriteLine($"{taken} of {data.Length} bytes taken before the stall; bound {bound}; {buffers}");

        Assert.That(taken, Is.LessThanOrEqualTo(bound), $"the peer kept reading: {taken} bytes taken ({buffers})");
        var rest = raw.SendAsync(data.AsMemory((int)taken));
        for (var i = 0; i < count; i++)
        {
            var update = toSentRequest
                ? await sent!.ReceiveUpdateAsync().WithTimeout()
                : await received!.ReceiveUpdateAsync().WithTimeout();
            Assert.That(update, Is.Not.Null);
            Assert.That(update!.Value.ServiceId, Is.EqualTo(i % 1000));
            Assert.That(Flood.Number(update.Value.Body.Span), Is.EqualTo(i));
        }

        await rest.WithTimeout();
        if (toSentRequest)
        {
            await raw.SendFrameAsync(MessageHeader.Response(requestId, 1), "done"u8);
            Assert.That(await sent!.ReceiveUpdateAsync().WithTimeout(), Is.Null, "the response is next");
            Assert.That((await sent.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("done"));
        }
        else
        {
            await received!.SendResponseAsync(1, StreamBody.FromString("done"));
            var (header, body) = await raw.ReceiveMessageAsync();
            Assert.That(header, Is.EqualTo(MessageHeader.Response(requestId, 1)));
            Assert.That(body, Is.EqualTo("done"u8.ToArray()));
        }

        Assert.That(local.CloseError, Is.Null);
    }

    [Test]
    public async Task CloseWhileTheReadLoopWaitsForRoomEndsPromptly()
    {
        var options = new PeerOptions { IncomingQueueCapacity = 4 };
        var (raw, buffers) = await SmallBufferPeer.ConnectAsync(kind, options);
        await using var _ = raw;
        var local = raw.Peer;
        var bound = StallBound(buffers, options.IncomingQueueCapacity);
        var data = Flood.Frames((int)(2 * bound / FrameLength) + 1, BodyLength, i => MessageHeader.Stream(1));
        var taken = Flood.SendUntilStalled(raw.Socket, data, bound);
        Assert.That(taken, Is.LessThanOrEqualTo(bound));

        await local.CloseAsync().WithTimeout();

        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedLocally);
        // What was queued stays readable, in order; then the close.
        for (var i = 0; i <= options.IncomingQueueCapacity; i++)
        {
            ReceivedMessage<StreamBody> message;
            try
            {
                message = await local.ReceiveMessageAsync().WithTimeout();
            }
            catch (ConnectionClosedException closed)
            {
                Assert.That(closed.Reason, Is.EqualTo(CloseReason.ClosedLocally));
                return;
            }

            Assert.That(Flood.Number(message.Message.Body.Span), Is.EqualTo(i));
        }

        Assert.Fail($"more than the {options.IncomingQueueCapacity} queued messages were delivered after the close");
    }

    /// <summary>Reads <paramref name="count"/> responses, checking they answer requests 0, 1, 2... in order.</summary>
    private static async Task<int> ReadResponsesAsync(RawPeer raw, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (header, _) = await raw.ReceiveMessageAsync();
            if (header != MessageHeader.Response((uint)i, 1))
                throw new AssertionException($"response {i}: got {header}");
        }

        return count;
    }
}
