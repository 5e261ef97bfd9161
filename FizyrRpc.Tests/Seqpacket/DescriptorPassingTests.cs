using System.Text;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// Every message type that can carry a body of the sender's choosing carries descriptors, in both directions: a memfd
/// written on one side is read through the received descriptor on the other. (An error response is built by the peer
/// from a text and carries none.) Also several descriptors at once, pipes that stay live, and bodies with and without
/// descriptors interleaved.
/// </summary>
[TestFixture(Direction.ClientToServer)]
[TestFixture(Direction.ServerToClient)]
public class DescriptorPassingTests(Direction direction) : SeqpacketFixture
{
    [Test]
    public async Task RequestCarriesADescriptor()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (requester, responder) = pair.Sides(direction);

        using var sent = await requester.SendRequestAsync(5, Bodies.WithMemfds("read this", "request payload")).WithTimeout();
        var received = await responder.ReceiveMessageAsync().WithTimeout();

        Assert.That(received.IsRequest, Is.True);
        using var request = received.Request!;
        using (var body = request.Body)
        {
            Assert.That(request.ServiceId, Is.EqualTo(5));
            Bodies.AssertMemfds(body, "read this", "request payload");
        }

        await request.SendResponseAsync(5, Bodies.Text("done")).WithTimeout();
        using var response = (await sent.ReceiveResponseAsync().WithTimeout()).Body;
        Bodies.AssertMemfds(response, "done");
    }

    [Test]
    public async Task ResponseCarriesADescriptor()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (requester, responder) = pair.Sides(direction);

        using var sent = await requester.SendRequestAsync(6, Bodies.Text("give me a file")).WithTimeout();
        using var request = (await responder.ReceiveMessageAsync().WithTimeout()).Request!;
        await request.SendResponseAsync(6, Bodies.WithMemfds("here", "response payload")).WithTimeout();

        var response = await sent.ReceiveResponseAsync().WithTimeout();
        using var body = response.Body;
        Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(sent.RequestId, 6)));
        Bodies.AssertMemfds(body, "here", "response payload");
    }

    [Test]
    public async Task RequesterUpdateCarriesADescriptor()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (requester, responder) = pair.Sides(direction);

        using var sent = await requester.SendRequestAsync(7, Bodies.Text("start")).WithTimeout();
        using var request = (await responder.ReceiveMessageAsync().WithTimeout()).Request!;
        await sent.SendUpdateAsync(70, Bodies.WithMemfds("more input", "requester update payload")).WithTimeout();

        var update = await request.ReceiveUpdateAsync().WithTimeout();
        Assert.That(update, Is.Not.Null);
        using (var body = update!.Value.Body)
        {
            Assert.That(update.Value.Header, Is.EqualTo(MessageHeader.RequesterUpdate(request.RequestId, 70)));
            Bodies.AssertMemfds(body, "more input", "requester update payload");
        }

        await request.SendResponseAsync(7, Bodies.Text("done")).WithTimeout();
        (await sent.ReceiveResponseAsync().WithTimeout()).Body.Dispose();
    }

    [Test]
    public async Task ResponderUpdateCarriesADescriptor()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (requester, responder) = pair.Sides(direction);

        using var sent = await requester.SendRequestAsync(8, Bodies.Text("start")).WithTimeout();
        using var request = (await responder.ReceiveMessageAsync().WithTimeout()).Request!;
        await request.SendUpdateAsync(80, Bodies.WithMemfds("progress", "responder update payload")).WithTimeout();

        var update = await sent.ReceiveUpdateAsync().WithTimeout();
        Assert.That(update, Is.Not.Null);
        using (var body = update!.Value.Body)
        {
            Assert.That(update.Value.Header, Is.EqualTo(MessageHeader.ResponderUpdate(sent.RequestId, 80)));
            Bodies.AssertMemfds(body, "progress", "responder update payload");
        }

        await request.SendResponseAsync(8, Bodies.Text("done")).WithTimeout();
        (await sent.ReceiveResponseAsync().WithTimeout()).Body.Dispose();
    }

    [Test]
    public async Task StreamCarriesADescriptor()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (sender, receiver) = pair.Sides(direction);

        await sender.SendStreamAsync(9, Bodies.WithMemfds("tick", "stream payload")).WithTimeout();

        var received = await receiver.ReceiveMessageAsync().WithTimeout();
        Assert.That(received.IsStream, Is.True);
        using var body = received.Message.Body;
        Assert.That(received.Header, Is.EqualTo(MessageHeader.Stream(9)));
        Bodies.AssertMemfds(body, "tick", "stream payload");
    }

    [Test]
    public async Task EveryMessageOfAConversationCarriesItsOwnDescriptors()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (requester, responder) = pair.Sides(direction);

        using var sent = await requester.SendRequestAsync(1, Bodies.WithMemfds("request", "r1", "r2")).WithTimeout();
        using var request = (await responder.ReceiveMessageAsync().WithTimeout()).Request!;
        using (var body = request.Body)
            Bodies.AssertMemfds(body, "request", "r1", "r2");

        await request.SendUpdateAsync(2, Bodies.WithMemfds("responder update", "u1")).WithTimeout();
        using (var body = (await sent.ReceiveUpdateAsync().WithTimeout())!.Value.Body)
            Bodies.AssertMemfds(body, "responder update", "u1");

        await sent.SendUpdateAsync(3, Bodies.WithMemfds("requester update", "u2", "u3", "u4")).WithTimeout();
        using (var body = (await request.ReceiveUpdateAsync().WithTimeout())!.Value.Body)
            Bodies.AssertMemfds(body, "requester update", "u2", "u3", "u4");

        await responder.SendStreamAsync(4, Bodies.WithMemfds("stream back", "s1")).WithTimeout();
        using (var body = (await requester.ReceiveMessageAsync().WithTimeout()).Message.Body)
            Bodies.AssertMemfds(body, "stream back", "s1");

        await request.SendResponseAsync(1, Bodies.WithMemfds("response", "z1")).WithTimeout();
        using (var body = (await sent.ReceiveResponseAsync().WithTimeout()).Body)
            Bodies.AssertMemfds(body, "response", "z1");
    }

    [Test]
    public async Task ReceivedPipeEndsAreLive()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (sender, receiver) = pair.Sides(direction);
        using var toReceiver = Pipe.Create(probe: false);
        using var toSender = Pipe.Create(probe: false);

        // Hand over the read end of one pipe and the write end of another; keep the other ends.
        await sender.SendStreamAsync(1, Bodies.Text("pipes", toReceiver.ReadEnd, toSender.WriteEnd)).WithTimeout();
        var received = await receiver.ReceiveMessageAsync().WithTimeout();
        using var body = received.Message.Body;
        Assert.That(body.FileDescriptors, Has.Count.EqualTo(2));

        using (var writer = new FileStream(toReceiver.WriteEnd, FileAccess.Write, 1))
            writer.Write("down the pipe"u8);
        using (var reader = new FileStream(body.FileDescriptors[0], FileAccess.Read, 1))
            Assert.That(await ReadToEndAsync(reader), Is.EqualTo("down the pipe"), "read through the received read end; EOF since every write end is closed");

        using (var writer = new FileStream(body.FileDescriptors[1], FileAccess.Write, 1))
            writer.Write("and back"u8);
        using (var reader = new FileStream(toSender.ReadEnd, FileAccess.Read, 1))
            Assert.That(await ReadToEndAsync(reader), Is.EqualTo("and back"), "written through the received write end");
    }

    [Test]
    public async Task TheMaximumNumberOfDescriptorsFitsInOneMessageEachWay()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (requester, responder) = pair.Sides(direction);
        var requestTexts = Enumerable.Range(0, UnixConfig.DefaultMaxFileDescriptors).Select(i => $"request fd {i}").ToArray();
        var responseTexts = Enumerable.Range(0, UnixConfig.DefaultMaxFileDescriptors).Select(i => $"response fd {i}").ToArray();

        using var sent = await requester.SendRequestAsync(1, Bodies.WithMemfds("ten", requestTexts)).WithTimeout();
        using var request = (await responder.ReceiveMessageAsync().WithTimeout()).Request!;
        using (var body = request.Body)
            Bodies.AssertMemfds(body, "ten", requestTexts);

        await request.SendResponseAsync(1, Bodies.WithMemfds("ten back", responseTexts)).WithTimeout();
        using var response = (await sent.ReceiveResponseAsync().WithTimeout()).Body;
        Bodies.AssertMemfds(response, "ten back", responseTexts);
    }

    [Test]
    public async Task RaisedLimitsCarryTheSystemMaximumOfDescriptors()
    {
        var config = new UnixConfig
        {
            MaxFileDescriptorsRead = UnixConfig.SystemMaxFileDescriptors,
            MaxFileDescriptorsWrite = UnixConfig.SystemMaxFileDescriptors,
        };
        await using var pair = await SeqpacketPair.ConnectAsync(config);
        var (sender, receiver) = pair.Sides(direction);
        var texts = Enumerable.Range(0, UnixConfig.SystemMaxFileDescriptors).Select(i => $"fd {i}").ToArray();

        await sender.SendStreamAsync(1, Bodies.WithMemfds("many", texts)).WithTimeout();

        using var body = (await receiver.ReceiveMessageAsync().WithTimeout()).Message.Body;
        Bodies.AssertMemfds(body, "many", texts);
    }

    [Test]
    public async Task AHeaderOnlyMessageWithDescriptorsIsAMessageNotEndOfStream()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (sender, receiver) = pair.Sides(direction);

        await sender.SendStreamAsync(1, Bodies.WithMemfds(string.Empty, "only a descriptor")).WithTimeout();

        using var body = (await receiver.ReceiveMessageAsync().WithTimeout()).Message.Body;
        Bodies.AssertMemfds(body, string.Empty, "only a descriptor");
        Assert.That(receiver.CloseError, Is.Null);
    }

    [Test]
    public async Task StreamsWithAndWithoutDescriptorsInterleaveInOrder()
    {
        const int Count = 200;
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (sender, receiver) = pair.Sides(direction);

        // Sent back to back, so the write loop batches them: datagrams with 0 to 3 descriptors and bodies of 0 to the
        // maximum bytes side by side in one sendmmsg call.
        for (var i = 0; i < Count; i++)
            await sender.SendStreamAsync(i, Bodies.WithMemfds(BodyText(i), FdTexts(i))).WithTimeout();

        for (var i = 0; i < Count; i++)
        {
            var received = await receiver.ReceiveMessageAsync().WithTimeout();
            using var body = received.Message.Body;
            Assert.That(received.Header, Is.EqualTo(MessageHeader.Stream(i)));
            Bodies.AssertMemfds(body, BodyText(i), FdTexts(i));
        }
    }

    [Test]
    public async Task RequestsWithAndWithoutDescriptorsInterleave()
    {
        const int Count = 40;
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (requester, responder) = pair.Sides(direction);

        var sent = new List<SentRequest<UnixBody>>();
        for (var i = 0; i < Count; i++)
            sent.Add(await requester.SendRequestAsync(i, Bodies.WithMemfds(BodyText(i), FdTexts(i))).WithTimeout());

        for (var i = 0; i < Count; i++)
        {
            using var request = (await responder.ReceiveMessageAsync().WithTimeout()).Request!;
            using (var body = request.Body)
            {
                Assert.That(request.ServiceId, Is.EqualTo(i));
                Bodies.AssertMemfds(body, BodyText(i), FdTexts(i));
            }

            // Answer with the descriptor pattern shifted, so a request without descriptors gets a response with some.
            await request.SendResponseAsync(i, Bodies.WithMemfds(BodyText(i + 1), FdTexts(i + 1))).WithTimeout();
        }

        for (var i = 0; i < Count; i++)
        {
            using var response = (await sent[i].ReceiveResponseAsync().WithTimeout()).Body;
            Bodies.AssertMemfds(response, BodyText(i + 1), FdTexts(i + 1));
            sent[i].Dispose();
        }
    }

    // Every fourth body is empty, one in five is of the maximum length, the rest short.
    private static string BodyText(int i) =>
        i % 4 == 0 ? string.Empty : i % 5 == 0 ? new string((char)('a' + (i % 26)), UnixConfig.DefaultMaxBodyLength) : $"message {i}";

    private static string[] FdTexts(int i) => [.. Enumerable.Range(0, i % 4).Select(f => $"message {i} fd {f}")];

    private static async Task<string> ReadToEndAsync(FileStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync().WaitAsync(Waits.Timeout);
    }
}
