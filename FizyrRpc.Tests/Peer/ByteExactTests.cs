using System.Text;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Peer;

/// <summary>
/// What a peer writes and reads, byte for byte, with a raw socket as the remote: every valid message of the shared
/// vector file is produced by the peer exactly as its framed_hex, and read correctly when the raw socket writes it.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class ByteExactTests(LoopbackKind kind)
{
    /// <summary>
    /// Every vector the peer can be made to write: a request's ID comes from the counter, so "max ids"
    /// (request ID 2^32 - 1) would take 2^32 requests; it is covered on the reading side.
    /// </summary>
    public static IEnumerable<TestCaseData> WritableVectors() =>
        WireVectors.Valid
            .Where(v => (MessageType)v.Type != MessageType.Request || v.RequestId <= 64)
            .Select(v => new TestCaseData(v).SetArgDisplayNames(v.Name));

    public static IEnumerable<TestCaseData> AllVectors() =>
        WireVectors.Valid.Select(v => new TestCaseData(v).SetArgDisplayNames(v.Name));

    [TestCaseSource(nameof(WritableVectors))]
    public async Task ThePeerWritesTheVectorBytes(ValidVector vector)
    {
        await using var raw = await Loopback.RawAsync(kind, new StreamConfig { Endian = vector.Endian });
        switch ((MessageType)vector.Type)
        {
            case MessageType.Request:
                await SendRequestsAsync(raw, (int)vector.RequestId); // IDs 0 to N-1 go first
                var request = await raw.Peer.SendRequestAsync(vector.ServiceId, vector.Body).Within();
                Assert.That(request.RequestId, Is.EqualTo(vector.RequestId));
                break;
            case MessageType.Response:
                var toAnswer = await ReceiveRequestFromRawAsync(raw, vector.RequestId);
                if (vector.ServiceId == MessageHeader.ErrorServiceId)
                    await toAnswer.SendErrorResponseAsync(Encoding.UTF8.GetString(vector.Body)).Within();
                else
                    await toAnswer.SendResponseAsync(vector.ServiceId, vector.Body).Within();
                break;
            case MessageType.RequesterUpdate:
                var sent = await SendRequestsAsync(raw, (int)vector.RequestId + 1);
                await sent[^1].SendUpdateAsync(vector.ServiceId, vector.Body).Within();
                break;
            case MessageType.ResponderUpdate:
                var updated = await ReceiveRequestFromRawAsync(raw, vector.RequestId);
                await updated.SendUpdateAsync(vector.ServiceId, vector.Body).Within();
                break;
            default:
                await raw.Peer.SendStreamAsync(vector.ServiceId, vector.Body).Within();
                break;
        }

        Assert.That(Convert.ToHexString(await raw.ReceiveFrameBytesAsync()), Is.EqualTo(Convert.ToHexString(vector.Framed)));
    }

    [TestCaseSource(nameof(AllVectors))]
    public async Task ThePeerReadsTheVectorBytes(ValidVector vector)
    {
        await using var raw = await Loopback.RawAsync(kind, new StreamConfig { Endian = vector.Endian });
        Message<StreamBody> got;
        switch ((MessageType)vector.Type)
        {
            case MessageType.Request:
                await raw.SendAsync(vector.Framed);
                got = (await raw.Peer.ReceiveRequestAsync()).Message;
                break;
            case MessageType.Stream:
                await raw.SendAsync(vector.Framed);
                got = await raw.Peer.ReceiveStreamAsync();
                break;
            case MessageType.RequesterUpdate:
                await raw.SendFrameAsync(MessageHeader.Request(vector.RequestId, 1));
                var received = await raw.Peer.ReceiveRequestAsync();
                await raw.SendAsync(vector.Framed);
                got = (await received.ReceiveUpdateAsync().Within())!.Value;
                break;
            default: // a response or a responder update: for a request of ours with that ID
                var sent = await SendRequestsAsync(raw, (int)vector.RequestId + 1);
                await raw.SendAsync(vector.Framed);
                got = (MessageType)vector.Type == MessageType.Response
                    ? await sent[^1].ReceiveResponseAsync().Within()
                    : (await sent[^1].ReceiveUpdateAsync().Within())!.Value;
                break;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(got.Header, Is.EqualTo(vector.Header));
            Assert.That(got.Bytes(), Is.EqualTo(vector.Body));
            Assert.That(got.IsErrorResponse, Is.EqualTo(vector.Header.IsErrorResponse));
        }
    }

    [Test]
    public async Task ABigEndianPeerAnswersTheBigEndianEcho()
    {
        var vector = WireVectors.GetValid("big endian echo request");
        await using var raw = await Loopback.RawAsync(kind, new StreamConfig { Endian = Endian.Big });
        await raw.SendAsync(vector.Framed);
        var request = await raw.Peer.ReceiveRequestAsync();
        Assert.That(request.Message.Header, Is.EqualTo(MessageHeader.Request(21, 0)));
        await request.SendResponseAsync(0, request.Body).Within();

        // The echo response, big endian: length 23, type 1, request ID 21, service 0, "Hello World".
        var expected = WireVectors.FromHex("00000017 00000001 00000015 00000000 48656c6c6f20576f726c64");
        Assert.That(await raw.ReceiveFrameBytesAsync(), Is.EqualTo(expected));
    }

    [Test]
    public async Task ABigEndianPairTalks()
    {
        var config = new StreamConfig { Endian = Endian.Big };
        await using var pair = await Loopback.PairAsync(kind, config);
        var request = await pair.Client.SendRequestAsync(258, new byte[] { 1, 2, 3 }).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendUpdateAsync(-2, new byte[] { 0, 0xff }).Within();
        await received.SendResponseAsync(-300, new byte[] { 4 }).Within();
        var update = await request.ReceiveUpdateAsync().Within();
        var response = await request.ReceiveResponseAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(received.Message.Header, Is.EqualTo(MessageHeader.Request(0, 258)));
            Assert.That(update?.Header, Is.EqualTo(MessageHeader.ResponderUpdate(0, -2)));
            Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(0, -300)));
            Assert.That(response.Bytes(), Is.EqualTo(new byte[] { 4 }));
        }
    }

    [Test]
    public async Task AFrameSentOneByteAtATimeIsRead()
    {
        var vector = WireVectors.GetValid("echo request");
        await using var raw = await Loopback.RawAsync(kind);
        foreach (var b in vector.Framed)
            await raw.SendAsync(new[] { b });
        var request = await raw.Peer.ReceiveRequestAsync();
        Assert.That(request.Message.Header, Is.EqualTo(vector.Header));
        Assert.That(request.Body.ToUtf8String(), Is.EqualTo("Hello World"));
    }

    [Test]
    public async Task ManyFramesInOneSendAreAllRead()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var frames = Enumerable.Range(0, 50)
            .SelectMany(i => RawPeer.Frame(MessageHeader.Stream(i), new byte[i], Endian.Little))
            .ToArray();
        await raw.SendAsync(frames);
        for (var i = 0; i < 50; i++)
        {
            var stream = await raw.Peer.ReceiveStreamAsync();
            Assert.That((stream.ServiceId, stream.Body.Length), Is.EqualTo((i, i)));
        }
    }

    [Test]
    public async Task QueuedMessagesOfMixedSizesAreWrittenExactlyAndInOrder()
    {
        // Small bodies are copied next to their headers, large ones sent from where they are: one gather write must
        // still give the frames back to back, in order.
        var config = new StreamConfig { MaxBodyLengthWrite = 1 << 20 };
        await using var raw = await Loopback.RawAsync(kind, config);
        var bodies = new[] { 3, 100_000, 0, 17_000, 5, 16 * 1024, 16 * 1024 + 1 }
            .Select((length, i) => Enumerable.Range(0, length).Select(b => (byte)(b * 7 + i)).ToArray())
            .ToArray();
        var sends = bodies.Select((body, i) => raw.Peer.SendStreamAsync(i, body).AsTask()).ToArray();
        await Task.WhenAll(sends).Within();

        var expected = bodies.SelectMany((body, i) => RawPeer.Frame(MessageHeader.Stream(i), body, Endian.Little)).ToArray();
        var actual = await raw.ReceiveExactlyAsync(expected.Length);
        Assert.That(actual.AsSpan().SequenceEqual(expected), Is.True, "the frames on the wire differ from the expected bytes");
    }

    [Test]
    public async Task ARefusedRequesterUpdateWritesNothing()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var request = await raw.Peer.SendRequestAsync(1, StreamBody.Empty).Within();
        await raw.ReceiveFrameBytesAsync();
        await raw.SendFrameAsync(MessageHeader.Response(request.RequestId, 0));
        await request.ReceiveResponseAsync().Within();

        await Assert.ThrowsAsync<RequestClosedException>(async () => await request.SendUpdateAsync(2, new byte[] { 2 }));
        await raw.Peer.SendStreamAsync(3, "tick"u8.ToArray()).Within();
        Assert.That(await raw.ReceiveFrameBytesAsync(), Is.EqualTo(WireVectors.GetValid("stream").Framed));
    }

    [Test]
    public async Task ARefusedResponderUpdateOrSecondAnswerWritesNothing()
    {
        await using var raw = await Loopback.RawAsync(kind);
        await raw.SendAsync(WireVectors.GetValid("echo request").Framed);
        var request = await raw.Peer.ReceiveRequestAsync();
        await request.SendResponseAsync(0, request.Body).Within();
        Assert.That(await raw.ReceiveFrameBytesAsync(), Is.EqualTo(WireVectors.GetValid("echo response").Framed));

        await Assert.ThrowsAsync<RequestClosedException>(async () => await request.SendUpdateAsync(2, new byte[] { 2 }));
        await Assert.ThrowsAsync<RequestClosedException>(async () => await request.SendResponseAsync(0, new byte[] { 2 }));
        await Assert.ThrowsAsync<RequestClosedException>(async () => await request.SendErrorResponseAsync("late"));
        await raw.Peer.SendStreamAsync(3, "tick"u8.ToArray()).Within();
        Assert.That(await raw.ReceiveFrameBytesAsync(), Is.EqualTo(WireVectors.GetValid("stream").Framed));
    }

    /// <summary>Sends <paramref name="count"/> empty requests (IDs 0 to count-1) and consumes them on the raw side.</summary>
    private static async Task<List<SentRequest<StreamBody>>> SendRequestsAsync(RawPeer raw, int count)
    {
        var sent = new List<SentRequest<StreamBody>>();
        for (var i = 0; i < count; i++)
        {
            sent.Add(await raw.Peer.SendRequestAsync(0, StreamBody.Empty).Within());
            await raw.ReceiveFrameBytesAsync();
        }

        return sent;
    }

    private static async Task<ReceivedRequest<StreamBody>> ReceiveRequestFromRawAsync(RawPeer raw, uint requestId)
    {
        await raw.SendFrameAsync(MessageHeader.Request(requestId, 1));
        var received = await raw.Peer.ReceiveRequestAsync();
        Assert.That(received.RequestId, Is.EqualTo(requestId));
        return received;
    }
}
