using System.Text;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// The peer disposes every body it drops, so the descriptors of a message nobody will read are closed: a stream for a
/// read handle that is gone, an update or response for an unknown request ID, a duplicate request, what arrives for
/// (or is queued in) a disposed request handle, and whatever is unread when the peer closes. A raw remote sends them
/// and closes its own copies at once, so the pipe probe sees end of file only if the peer closed the one it received.
/// </summary>
public class DroppedBodyTests : SeqpacketFixture
{
    [Test]
    public async Task AStreamForAReadHandleThatIsGoneIsClosed()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        var (read, write) = raw.Peer.Split();
        await using var keepAlive = write;
        await read.DisposeAsync();
        using var pipe = Pipe.Create();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Stream(1), "nobody reads this"u8), pipe, 2);
        raw.SendMessage(MessageHeader.Request(1, 3), "anyone?"u8);

        // The request is answered after the stream was handled (one read loop, in order).
        using var answer = await raw.ReceiveAsync();
        Assert.That(answer.Header, Is.EqualTo(MessageHeader.ErrorResponse(1)));
        Assert.That(Encoding.UTF8.GetString(answer.Body), Is.EqualTo("unexpected request for service 3"));
        pipe.AssertAllWriteEndsClosed("the dropped stream's descriptors are closed");
    }

    [Test]
    public async Task ARequestForAReadHandleThatIsGoneIsClosed()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        var (read, write) = raw.Peer.Split();
        await using var keepAlive = write;
        await read.DisposeAsync();
        using var pipe = Pipe.Create();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Request(6, 3), "anyone?"u8), pipe, 3);

        using var answer = await raw.ReceiveAsync();
        Assert.That(answer.Header, Is.EqualTo(MessageHeader.ErrorResponse(6)));
        pipe.AssertAllWriteEndsClosed("the refused request's descriptors are closed");
    }

    [TestCase(MessageType.Response)]
    [TestCase(MessageType.ResponderUpdate)]
    [TestCase(MessageType.RequesterUpdate)]
    public async Task AMessageForAnUnknownRequestIdIsReportedAndClosed(MessageType type)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(new MessageHeader(type, 12345, 1), "for nobody"u8), pipe, 2);

        var error = await RawExchange.ExpectDroppedAsync(raw.Peer, ProtocolError.UnknownRequestId);
        Assert.That(error.RequestId, Is.EqualTo(12345));
        pipe.AssertAllWriteEndsClosed("the dropped message's descriptors are closed");
        await RawExchange.AssertStillUsableAsync(raw);
    }

    [Test]
    public async Task ADuplicateRequestIsReportedAndClosedAndTheFirstStaysOpen()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        raw.SendMessage(MessageHeader.Request(4, 1), "first"u8);
        using var first = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Request!;

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Request(4, 1), "again"u8), pipe, 2);

        var error = await RawExchange.ExpectDroppedAsync(raw.Peer, ProtocolError.DuplicateRequestId);
        Assert.That(error.RequestId, Is.EqualTo(4));
        pipe.AssertAllWriteEndsClosed("the duplicate's descriptors are closed");
        await first.SendResponseAsync(1, Bodies.Text("to the first")).WithTimeout();
        using var answer = await raw.ReceiveAsync();
        Assert.That(answer.Header, Is.EqualTo(MessageHeader.Response(4, 1)));
    }

    [Test]
    public async Task WhatArrivesForADisposedSentRequestIsClosed()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        var sent = await raw.Peer.SendRequestAsync(2, Bodies.Text("question")).WithTimeout();
        using var request = await raw.ReceiveAsync();
        sent.Dispose();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.ResponderUpdate(request.Header.RequestId, 1), "late update"u8), pipe, 2);
        using (var memfd = Descriptors.Duplicate(pipe.ReadEnd))
            raw.SendMessage(MessageHeader.Response(request.Header.RequestId, 2), "late answer"u8, memfd);
        raw.SendMessage(MessageHeader.Stream(5), "marker"u8);

        // The marker comes after both were handled.
        using (var marker = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Message.Body)
            Assert.That(Bodies.TextOf(marker), Is.EqualTo("marker"));
        pipe.AssertAllWriteEndsClosed("the update's descriptors are closed");
        Assert.That(pipe.OpenInThisProcess, Is.EqualTo(1), "only the probe's own read end is open: the response's copy of it was closed too");
        Assert.That(raw.Peer.OpenSentRequests, Is.Zero, "the response freed the ID");
    }

    [Test]
    public async Task WhatIsQueuedForASentRequestIsClosedWhenItIsDisposed()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        var sent = await raw.Peer.SendRequestAsync(2, Bodies.Text("question")).WithTimeout();
        using var request = await raw.ReceiveAsync();

        var copies = Enumerable.Range(0, 2).Select(_ => Descriptors.Duplicate(pipe.WriteEnd)).ToArray();
        raw.Send(raw.Encode(MessageHeader.ResponderUpdate(request.Header.RequestId, 1), "update"u8), copies[0]);
        raw.Send(raw.Encode(MessageHeader.Response(request.Header.RequestId, 2), "answer"u8), copies[1]);
        foreach (var copy in copies)
            copy.Dispose();
        pipe.WriteEnd.Dispose();
        raw.SendMessage(MessageHeader.Stream(5), "marker"u8);
        (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Message.Body.Dispose();
        Assert.That(pipe.AllWriteEndsClosed(), Is.False, "the update and the response wait unread in the request's queue");

        sent.Dispose();

        pipe.AssertAllWriteEndsClosed("disposing the request handle closes what was queued for it");
    }

    [Test]
    public async Task UnreadUpdatesOfADisposedReceivedRequestAreClosed()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        raw.SendMessage(MessageHeader.Request(9, 1), "question"u8);
        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.RequesterUpdate(9, 1), "more"u8), pipe, 3);
        raw.SendMessage(MessageHeader.Stream(5), "marker"u8);
        var request = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Request!;
        (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Message.Body.Dispose();
        Assert.That(pipe.AllWriteEndsClosed(), Is.False, "the update waits unread in the request's queue");

        request.Dispose();

        pipe.AssertAllWriteEndsClosed("disposing the request handle closes its unread updates");
        using var answer = await raw.ReceiveAsync();
        Assert.That(answer.Header, Is.EqualTo(MessageHeader.ErrorResponse(9)));
        Assert.That(Encoding.UTF8.GetString(answer.Body), Is.EqualTo(ReceivedRequest<UnixBody>.DroppedErrorText));
    }

    [Test]
    public async Task UnreadMessagesAreClosedWhenThePeerIsDisposed()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        using var question = await raw.Peer.SendRequestAsync(1, Bodies.Text("question")).WithTimeout();
        using var questionDatagram = await raw.ReceiveAsync();
        var copies = Enumerable.Range(0, 8).Select(_ => Descriptors.Duplicate(pipe.WriteEnd)).ToArray();
        for (var i = 0; i < 4; i++)
            raw.Send(raw.Encode(MessageHeader.Stream(i), "unread"u8), copies[i]);
        raw.Send(raw.Encode(MessageHeader.Request(1, 1), "unread request"u8), copies[4], copies[5]);
        raw.Send(raw.Encode(MessageHeader.RequesterUpdate(1, 1), "unread update"u8), copies[6], copies[7]);
        foreach (var copy in copies)
            copy.Dispose();
        pipe.WriteEnd.Dispose();

        // The answer comes last: once it is here, the peer has taken every datagram from the socket, so what follows
        // is about the peer's own queues, not descriptors still in flight in the kernel.
        raw.SendMessage(MessageHeader.Response(questionDatagram.Header.RequestId, 1), "answer"u8);
        (await question.ReceiveResponseAsync().WithTimeout()).Body.Dispose();
        Assert.That(pipe.AllWriteEndsClosed(), Is.False, "the unread messages hold their descriptors");

        await raw.Peer.DisposeAsync().AsTask().WithTimeout();

        pipe.AssertAllWriteEndsClosed("every unread message's descriptors are closed once the peer is gone");
    }

    /// <summary>
    /// The peer closes while its incoming queue is full and more datagrams wait in the batch its last receive call
    /// took from the socket. The four streams are in the socket before the peer starts, so its first receive takes all
    /// of them; with room for <paramref name="capacity"/> in the queue, the read loop then waits to deliver the next.
    /// Every one of the four must be closed once the peer is gone: the queued ones when the read handle is disposed,
    /// the one waiting for room, and the ones still in the batch.
    /// </summary>
    [TestCase(1)]
    [TestCase(2)]
    public async Task MessagesOfAReceiveBatchAreClosedWhenThePeerClosesWithAFullQueue(int capacity)
    {
        var (remote, local, folder) = await SeqpacketPair.SocketPairAsync();
        using var removeFolder = folder;
        using var raw = remote;
        var pipes = Enumerable.Range(0, 4).Select(_ => Pipe.Create()).ToArray();
        try
        {
            for (var i = 0; i < pipes.Length; i++)
            {
                var datagram = new byte[MessageHeader.Size];
                MessageHeader.Stream(i).Encode(datagram, Endian.Native);
                Assert.That(DatagramIo.TrySend(remote, datagram, [pipes[i].WriteEnd]), Is.True);
                pipes[i].WriteEnd.Dispose();
            }

            var peer = FizyrRpc.Peer.Start(new UnixSeqpacketTransport(local), new PeerOptions { IncomingQueueCapacity = capacity });
            await peer.CloseAsync().WithTimeout();
            await peer.DisposeAsync().AsTask().WithTimeout();

            using (Assert.EnterMultipleScope())
            {
                for (var i = 0; i < pipes.Length; i++)
                    pipes[i].AssertAllWriteEndsClosed($"stream {i} of the batch is closed");
            }
        }
        finally
        {
            foreach (var pipe in pipes)
                pipe.Dispose();
        }
    }

    [Test]
    public async Task UnreadMessagesAreClosedWhenTheRemoteEndsTheConnection()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Stream(1), "unread"u8), pipe, 2);
        raw.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        await raw.Peer.Completion.WithTimeout();
        Assert.That(raw.Peer.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedByRemote));

        // The stream is still delivered after the close; disposing the peer unread closes it.
        await raw.Peer.DisposeAsync().AsTask().WithTimeout();

        pipe.AssertAllWriteEndsClosed("the unread stream's descriptors are closed");
    }
}
