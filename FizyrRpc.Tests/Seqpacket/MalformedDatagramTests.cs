using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// Malformed datagrams from a raw remote: a datagram too short for a header, one whose body is above the read limit,
/// one with more descriptors than allowed (or than the control buffer holds) is dropped, reported through
/// ReceiveMessageAsync as a non-fatal protocol error, every descriptor it carried is closed (the pipe probe sees end
/// of file), and the next request on the same socket works. A zero-byte datagram is end of stream; an invalid message
/// type closes the connection.
/// </summary>
public class MalformedDatagramTests : SeqpacketFixture
{
    [TestCase(1, 0)]
    [TestCase(3, 0)]
    [TestCase(11, 0)]
    [TestCase(0, 1)]
    [TestCase(3, 2)]
    [TestCase(11, UnixConfig.DefaultMaxFileDescriptors)]
    public async Task ADatagramShorterThanAHeaderIsDroppedWithItsDescriptors(int length, int descriptors)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        var datagram = Enumerable.Range(1, length).Select(i => (byte)i).ToArray();

        if (descriptors == 0)
            raw.Send(datagram);
        else
            RawExchange.SendWithWriteEnds(raw, datagram, pipe, descriptors);

        await RawExchange.ExpectDroppedAsync(raw.Peer, ProtocolError.DatagramTooShort);
        if (descriptors > 0)
            pipe.AssertAllWriteEndsClosed("the dropped datagram's descriptors are closed");
        await RawExchange.AssertStillUsableAsync(raw);
    }

    [Test]
    public async Task TheShortDatagramVectorIsDroppedAndTheNextOneRead()
    {
        var vector = WireVectors.SeqpacketInvalid.Single(v => v.Name == "datagram shorter than the header");
        await using var raw = await RawSeqpacket.ConnectAsync();

        raw.Send(vector.Datagram);

        await RawExchange.ExpectDroppedAsync(raw.Peer, ProtocolError.DatagramTooShort);
        await RawExchange.AssertStillUsableAsync(raw);
    }

    [TestCase(UnixConfig.DefaultMaxBodyLength + 1, 3)]
    [TestCase(UnixConfig.DefaultMaxBodyLength + 1, 0)]
    [TestCase(60 * 1024, 2)]
    public async Task ABodyAboveTheReadLimitIsDroppedWithItsDescriptors(int bodyLength, int descriptors)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        var datagram = raw.Encode(MessageHeader.Stream(1), new byte[bodyLength]);

        if (descriptors == 0)
            raw.Send(datagram);
        else
            RawExchange.SendWithWriteEnds(raw, datagram, pipe, descriptors);

        await RawExchange.ExpectDroppedAsync(raw.Peer, ProtocolError.PayloadTooLarge);
        if (descriptors > 0)
            pipe.AssertAllWriteEndsClosed("the dropped datagram's descriptors are closed");
        await RawExchange.AssertStillUsableAsync(raw);
    }

    [Test]
    public async Task ABodyAtTheReadLimitWithTheMostDescriptorsIsDelivered()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        var texts = Enumerable.Range(0, UnixConfig.DefaultMaxFileDescriptors).Select(i => $"fd {i}").ToArray();
        var body = new string('x', UnixConfig.DefaultMaxBodyLength);
        var memfds = texts.Select(Descriptors.Memfd).ToArray();

        raw.SendMessage(MessageHeader.Stream(1), System.Text.Encoding.UTF8.GetBytes(body), memfds);
        foreach (var memfd in memfds)
            memfd.Dispose();

        using var received = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Message.Body;
        Bodies.AssertMemfds(received, body, texts);
    }

    [Test]
    public async Task ALoweredReadLimitDropsTheFirstByteAbove()
    {
        await using var raw = await RawSeqpacket.ConnectAsync(new UnixConfig { MaxBodyLengthRead = 16 });
        using var pipe = Pipe.Create();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Stream(1), new byte[17]), pipe, 1);
        raw.SendMessage(MessageHeader.Stream(2), new byte[16]);

        var error = await RawExchange.ExpectDroppedAsync(raw.Peer, ProtocolError.PayloadTooLarge);
        pipe.AssertAllWriteEndsClosed();
        using var atTheLimit = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Message.Body;
        Assert.That(atTheLimit.Length, Is.EqualTo(16), error.Message);
    }

    [Test]
    public async Task OneDescriptorMoreThanTheLimitIsDroppedWithAllItsDescriptors()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Stream(1), "too many"u8), pipe, UnixConfig.DefaultMaxFileDescriptors + 1);

        await RawExchange.ExpectDroppedAsync(raw.Peer, ProtocolError.TooManyFileDescriptors);
        pipe.AssertAllWriteEndsClosed("all eleven are closed");
        await RawExchange.AssertStillUsableAsync(raw);
    }

    [TestCase(UnixConfig.DefaultMaxFileDescriptors, 30)]
    [TestCase(UnixConfig.DefaultMaxFileDescriptors, UnixConfig.SystemMaxFileDescriptors)]
    [TestCase(9, 30)]
    [TestCase(0, 5)]
    public async Task DescriptorsBeyondTheControlBufferAreReportedAsTruncatedAndAllClosed(int limit, int descriptors)
    {
        await using var raw = await RawSeqpacket.ConnectAsync(new UnixConfig { MaxFileDescriptorsRead = limit });
        using var pipe = Pipe.Create();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Request(1, 1), "far too many"u8), pipe, descriptors);

        // The kernel fills the control buffer, discards the rest and flags MSG_CTRUNC.
        await RawExchange.ExpectDroppedAsync(raw.Peer, ProtocolError.Truncated);
        pipe.AssertAllWriteEndsClosed("the ones received are closed, the ones the kernel discarded too");
        await RawExchange.AssertStillUsableAsync(raw, requestWithDescriptor: limit > 0);
    }

    /// <summary>
    /// Every count above the limit, around the edge of the control buffer: the buffer is sized for one descriptor more
    /// than the limit, but CMSG_SPACE rounds it up to 8 bytes, so for an even limit the kernel may hand over two more.
    /// Whichever error is reported, every descriptor the kernel delivered must be closed.
    /// </summary>
    [TestCase(UnixConfig.DefaultMaxFileDescriptors, 11)]
    [TestCase(UnixConfig.DefaultMaxFileDescriptors, 12)]
    [TestCase(UnixConfig.DefaultMaxFileDescriptors, 13)]
    [TestCase(0, 1)]
    [TestCase(0, 2)]
    [TestCase(1, 2)]
    [TestCase(1, 3)]
    [TestCase(2, 4)]
    [TestCase(9, 10)]
    [TestCase(9, 11)]
    public async Task EveryDescriptorOfADatagramWithTooManyIsClosed(int limit, int descriptors)
    {
        await using var raw = await RawSeqpacket.ConnectAsync(new UnixConfig { MaxFileDescriptorsRead = limit });
        using var pipe = Pipe.Create();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Stream(1), "too many"u8), pipe, descriptors);

        var error = await Waits.ThrowsAsync<RpcProtocolException>(() => raw.Peer.ReceiveMessageAsync().AsTask());
        Assert.That(error.IsFatal, Is.False);
        Assert.That(error.Error, Is.AnyOf(ProtocolError.TooManyFileDescriptors, ProtocolError.Truncated));
        pipe.AssertAllWriteEndsClosed($"all {descriptors} descriptors of the dropped datagram are closed (limit {limit})");
        await RawExchange.AssertStillUsableAsync(raw, requestWithDescriptor: limit > 0);
    }

    [Test]
    public async Task AReadLimitOfZeroDescriptorsDropsAnyDescriptorAndKeepsPlainMessages()
    {
        await using var raw = await RawSeqpacket.ConnectAsync(new UnixConfig { MaxFileDescriptorsRead = 0 });
        using var pipe = Pipe.Create();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Stream(1), "one fd"u8), pipe, 1);
        raw.SendMessage(MessageHeader.Stream(2), "no fd"u8);

        await RawExchange.ExpectDroppedAsync(raw.Peer, ProtocolError.TooManyFileDescriptors);
        pipe.AssertAllWriteEndsClosed();
        using var plain = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Message.Body;
        Bodies.AssertMemfds(plain, "no fd");
    }

    [Test]
    public async Task ABodyAboveTheLimitWithTooManyDescriptorsIsDroppedAndAllClosed()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();

        RawExchange.SendWithWriteEnds(raw, raw.Encode(MessageHeader.Stream(1), new byte[UnixConfig.DefaultMaxBodyLength + 1]), pipe, 40);

        var error = await Waits.ThrowsAsync<RpcProtocolException>(() => raw.Peer.ReceiveMessageAsync().AsTask());
        Assert.That(error.IsFatal, Is.False);
        Assert.That(error.Error, Is.AnyOf(ProtocolError.PayloadTooLarge, ProtocolError.Truncated, ProtocolError.TooManyFileDescriptors));
        pipe.AssertAllWriteEndsClosed();
        await RawExchange.AssertStillUsableAsync(raw);
    }

    [Test]
    public async Task GoodAndBadDatagramsInOneBurstAreTakenInOrder()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        var pipes = Enumerable.Range(0, 3).Select(_ => Pipe.Create()).ToArray();
        try
        {
            // Sent back to back, so the peer most likely takes several in one receive call.
            for (var round = 0; round < 3; round++)
            {
                using (var memfd = Descriptors.Memfd($"good {round}"))
                    raw.SendMessage(MessageHeader.Stream(round), "good"u8, memfd);
                var bad = round switch
                {
                    0 => [1, 2, 3],
                    1 => raw.Encode(MessageHeader.Stream(9), new byte[UnixConfig.DefaultMaxBodyLength + 1]),
                    _ => raw.Encode(MessageHeader.Stream(9), "bad"u8),
                };
                RawExchange.SendWithWriteEnds(raw, bad, pipes[round], round == 2 ? UnixConfig.DefaultMaxFileDescriptors + 1 : 2);
            }

            ProtocolError[] expected = [ProtocolError.DatagramTooShort, ProtocolError.PayloadTooLarge, ProtocolError.TooManyFileDescriptors];
            for (var round = 0; round < 3; round++)
            {
                var good = await raw.Peer.ReceiveMessageAsync().WithTimeout();
                using (var body = good.Message.Body)
                {
                    Assert.That(good.Header, Is.EqualTo(MessageHeader.Stream(round)));
                    Bodies.AssertMemfds(body, "good", $"good {round}");
                }

                await RawExchange.ExpectDroppedAsync(raw.Peer, expected[round]);
                pipes[round].AssertAllWriteEndsClosed($"round {round}");
            }

            await RawExchange.AssertStillUsableAsync(raw);
        }
        finally
        {
            foreach (var pipe in pipes)
                pipe.Dispose();
        }
    }

    [Test]
    public async Task AZeroByteDatagramIsEndOfStream()
    {
        var vector = WireVectors.SeqpacketInvalid.Single(v => v.Name == "zero-byte datagram");
        await using var raw = await RawSeqpacket.ConnectAsync();
        using (var memfd = Descriptors.Memfd("before the end"))
            raw.SendMessage(MessageHeader.Stream(1), "last"u8, memfd);

        raw.Send(vector.Datagram);

        using (var last = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Message.Body)
            Bodies.AssertMemfds(last, "last", "before the end");
        var closed = await Waits.ThrowsAsync<ConnectionClosedException>(() => raw.Peer.ReceiveMessageAsync().AsTask());
        Assert.That(closed.Reason, Is.EqualTo(CloseReason.ClosedByRemote));
        await raw.Peer.Completion.WithTimeout();
        Assert.That(raw.Peer.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedByRemote));
        await raw.SeesEndOfStreamAsync();
    }

    [TestCase(5u, 0)]
    [TestCase(9u, 0)]
    [TestCase(5u, 3)]
    [TestCase(uint.MaxValue, 1)]
    public async Task AnInvalidMessageTypeClosesTheConnectionAndItsDescriptors(uint type, int descriptors)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        var datagram = raw.Encode(MessageHeader.Stream(1), "bad type"u8);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(datagram, type);

        if (descriptors == 0)
            raw.Send(datagram);
        else
            RawExchange.SendWithWriteEnds(raw, datagram, pipe, descriptors);

        var closed = await Waits.ThrowsAsync<ConnectionClosedException>(() => raw.Peer.ReceiveMessageAsync().AsTask());
        Assert.That(closed.Reason, Is.EqualTo(CloseReason.ProtocolError));
        Assert.That(closed.InnerException, Is.TypeOf<RpcProtocolException>());
        var cause = (RpcProtocolException)closed.InnerException!;
        Assert.That(cause.Error, Is.EqualTo(ProtocolError.InvalidMessageType));
        Assert.That(cause.IsFatal, Is.True);
        await raw.Peer.Completion.WithTimeout();
        Assert.That(raw.Peer.CloseError?.Reason, Is.EqualTo(CloseReason.ProtocolError));
        if (descriptors > 0)
            pipe.AssertAllWriteEndsClosed("the bad datagram's descriptors are closed");
        await raw.SeesEndOfStreamAsync();
    }

    [Test]
    public async Task TheInvalidMessageTypeVectorClosesTheConnection()
    {
        var vector = WireVectors.SeqpacketInvalid.Single(v => v.Name == "invalid message type");
        await using var raw = await RawSeqpacket.ConnectAsync();

        raw.Send(vector.Datagram);

        await raw.Peer.Completion.WithTimeout();
        Assert.That(raw.Peer.CloseError?.Reason, Is.EqualTo(CloseReason.ProtocolError));
        Assert.That((raw.Peer.CloseError?.InnerException as RpcProtocolException)?.Error, Is.EqualTo(ProtocolError.InvalidMessageType));
        await raw.SeesEndOfStreamAsync();
    }
}
