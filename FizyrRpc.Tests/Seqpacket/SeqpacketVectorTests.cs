using System.Text;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// The seqpacket transport against the shared wire vectors: every valid vector's datagram_hex is read as the vector's
/// message, and what the transport writes for the vector's message is datagram_hex byte for byte, in the vector's
/// byte order (little endian vectors also with the default, native, byte order where native is little). Then the
/// same through a running peer: what it writes for a request, a response, an error response, both updates and a
/// stream equals the vectors.
/// </summary>
public class SeqpacketVectorTests : SeqpacketFixture
{
    public static IEnumerable<TestCaseData> VectorsAndByteOrders()
    {
        foreach (var vector in WireVectors.Valid)
        {
            yield return new TestCaseData(vector, vector.Endian).SetArgDisplayNames(vector.Name, vector.Endian.ToString());
            if (vector.Endian == Endian.Little && BitConverter.IsLittleEndian)
                yield return new TestCaseData(vector, Endian.Native).SetArgDisplayNames(vector.Name, nameof(Endian.Native));
        }
    }

    [Test]
    public void NativeIsLittleEndianHere()
    {
        Assert.That(BitConverter.IsLittleEndian, Is.True, "the vectors' native = little cases assume a little endian machine");
        Assert.That(new UnixConfig().Endian, Is.EqualTo(Endian.Native), "native is the seqpacket default, as the reference's");
    }

    [TestCaseSource(nameof(VectorsAndByteOrders))]
    public async Task TheTransportReadsTheVectorDatagram(ValidVector vector, Endian endian)
    {
        var (remote, local, folder) = await SeqpacketPair.SocketPairAsync();
        using var removeFolder = folder;
        using var raw = remote;
        await using var transport = new UnixSeqpacketTransport(local, new UnixConfig { Endian = endian });

        raw.Send(vector.Datagram);
        var message = await transport.ReadMessageAsync(CancellationToken.None).AsTask().WithTimeout();

        Assert.That(message, Is.Not.Null);
        using var body = message!.Value.Body;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.Value.Header, Is.EqualTo(vector.Header));
            Assert.That(body.Span.ToArray(), Is.EqualTo(vector.Body));
            Assert.That(body.FileDescriptors, Is.Empty);
        }
    }

    [TestCaseSource(nameof(VectorsAndByteOrders))]
    public async Task TheTransportWritesTheVectorDatagram(ValidVector vector, Endian endian)
    {
        var (remote, local, folder) = await SeqpacketPair.SocketPairAsync();
        using var removeFolder = folder;
        using var raw = remote;
        await using var transport = new UnixSeqpacketTransport(local, new UnixConfig { Endian = endian });
        var message = new Message<UnixBody>(vector.Header, new UnixBody(vector.Body, Descriptors.Memfd("alongside")));

        await transport.WriteAsync([message], CancellationToken.None).AsTask().WithTimeout();
        message.Body.Dispose();

        using var datagram = await RawDatagram.ReceiveAsync(raw, endian);
        Assert.That(Convert.ToHexString(datagram.Data), Is.EqualTo(Convert.ToHexString(vector.Datagram)), "the datagram is the vector, byte for byte");
        Assert.That(datagram.Descriptors.Select(Descriptors.ReadText), Is.EqualTo(new[] { "alongside" }), "descriptors travel beside the bytes, not in them");
    }

    [TestCase("echo request", Endian.Native)]
    [TestCase("big endian echo request", Endian.Big)]
    public async Task ThePeerWritesTheRequestVector(string name, Endian endian)
    {
        var vector = WireVectors.GetValid(name);
        await using var raw = await RawSeqpacket.ConnectAsync(new UnixConfig { Endian = endian });
        var open = new List<SentRequest<UnixBody>>();
        for (var id = 0; id < vector.RequestId; id++)
        {
            open.Add(await raw.Peer.SendRequestAsync(1, Bodies.Text("filler")).WithTimeout());
            (await raw.ReceiveAsync()).Dispose();
        }

        using var sent = await raw.Peer.SendRequestAsync(vector.ServiceId, UnixBody.FromBytes(vector.Body)).WithTimeout();

        await AssertNextDatagramIsAsync(raw, vector);
        foreach (var request in open)
            request.Dispose();
    }

    [TestCase("echo response", "echo request")]
    [TestCase("typed success response carries the service id", null)]
    public async Task ThePeerWritesTheResponseVector(string name, string? requestName)
    {
        var vector = WireVectors.GetValid(name);
        await using var raw = await RawSeqpacket.ConnectAsync();
        raw.Send(requestName is null
            ? raw.Encode(MessageHeader.Request(vector.RequestId, vector.ServiceId), []) : WireVectors.GetValid(requestName).Datagram);
        using var request = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Request!;

        await request.SendResponseAsync(vector.ServiceId, UnixBody.FromBytes(vector.Body)).WithTimeout();

        await AssertNextDatagramIsAsync(raw, vector);
    }

    [Test]
    public async Task ThePeerWritesTheErrorResponseVector()
    {
        var vector = WireVectors.GetValid("error response");
        await using var raw = await RawSeqpacket.ConnectAsync();
        raw.Send(WireVectors.GetValid("echo request").Datagram);
        using var request = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Request!;

        await request.SendErrorResponseAsync(Encoding.UTF8.GetString(vector.Body)).WithTimeout();

        await AssertNextDatagramIsAsync(raw, vector);
    }

    [Test]
    public async Task ThePeerWritesTheRequesterUpdateVector()
    {
        var vector = WireVectors.GetValid("requester update");
        await using var raw = await RawSeqpacket.ConnectAsync();
        var sent = new List<SentRequest<UnixBody>>();
        for (var id = 0; id <= vector.RequestId; id++)
        {
            sent.Add(await raw.Peer.SendRequestAsync(1, Bodies.Text("open")).WithTimeout());
            (await raw.ReceiveAsync()).Dispose();
        }

        await sent[^1].SendUpdateAsync(vector.ServiceId, UnixBody.FromBytes(vector.Body)).WithTimeout();

        Assert.That(sent[^1].RequestId, Is.EqualTo(vector.RequestId));
        await AssertNextDatagramIsAsync(raw, vector);
        foreach (var request in sent)
            request.Dispose();
    }

    [TestCase("responder update", Endian.Native)]
    [TestCase("big endian responder update", Endian.Big)]
    public async Task ThePeerWritesTheResponderUpdateVector(string name, Endian endian)
    {
        var vector = WireVectors.GetValid(name);
        await using var raw = await RawSeqpacket.ConnectAsync(new UnixConfig { Endian = endian });
        raw.SendMessage(MessageHeader.Request(vector.RequestId, 1), "open"u8);
        using var request = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Request!;

        await request.SendUpdateAsync(vector.ServiceId, UnixBody.FromBytes(vector.Body)).WithTimeout();

        await AssertNextDatagramIsAsync(raw, vector);
    }

    [Test]
    public async Task ThePeerWritesTheStreamVector()
    {
        var vector = WireVectors.GetValid("stream");
        await using var raw = await RawSeqpacket.ConnectAsync();

        await raw.Peer.SendStreamAsync(vector.ServiceId, UnixBody.FromBytes(vector.Body)).WithTimeout();

        await AssertNextDatagramIsAsync(raw, vector);
    }

    [TestCase("echo request", Endian.Native)]
    [TestCase("stream", Endian.Native)]
    [TestCase("big endian echo request", Endian.Big)]
    public async Task ThePeerReadsTheVectorDatagram(string name, Endian endian)
    {
        var vector = WireVectors.GetValid(name);
        await using var raw = await RawSeqpacket.ConnectAsync(new UnixConfig { Endian = endian });
        using var memfd = Descriptors.Memfd("with the vector");

        raw.Send(vector.Datagram, memfd);

        var received = await raw.Peer.ReceiveMessageAsync().WithTimeout();
        using var body = received.Message.Body;
        Assert.That(received.Header, Is.EqualTo(vector.Header));
        Assert.That(body.Span.ToArray(), Is.EqualTo(vector.Body));
        Assert.That(body.FileDescriptors.Select(Descriptors.ReadText), Is.EqualTo(new[] { "with the vector" }));
    }

    private static async Task AssertNextDatagramIsAsync(RawSeqpacket raw, ValidVector vector)
    {
        using var datagram = await raw.ReceiveAsync();
        Assert.That(Convert.ToHexString(datagram.Data), Is.EqualTo(Convert.ToHexString(vector.Datagram)), $"the peer writes '{vector.Name}' byte for byte");
    }
}
