using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Peer;

/// <summary>Request and response between two real peers, started from either side, over TCP and Unix stream sockets.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class RoundTripTests(LoopbackKind kind)
{
    [Test]
    public async Task ClientRequestIsAnsweredByTheServer()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await AssertRoundTripAsync(requester: pair.Client, responder: pair.Server);
    }

    [Test]
    public async Task ServerRequestIsAnsweredByTheClient()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await AssertRoundTripAsync(requester: pair.Server, responder: pair.Client);
    }

    [Test]
    public async Task BothSidesRequestAtOnce()
    {
        // Both count from 0: request 0 is open both ways and each response reaches the side that asked.
        await using var pair = await Loopback.PairAsync(kind);
        var fromClient = await pair.Client.SendRequestAsync(1, StreamBody.FromString("from client")).Within();
        var fromServer = await pair.Server.SendRequestAsync(2, StreamBody.FromString("from server")).Within();
        Assert.That((fromClient.RequestId, fromServer.RequestId), Is.EqualTo((0u, 0u)));

        var atServer = await pair.Server.ReceiveRequestAsync();
        var atClient = await pair.Client.ReceiveRequestAsync();
        await atClient.SendResponseAsync(20, StreamBody.FromString("client answers")).Within();
        await atServer.SendResponseAsync(10, StreamBody.FromString("server answers")).Within();

        var clientGot = await fromClient.ReceiveResponseAsync().Within();
        var serverGot = await fromServer.ReceiveResponseAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(atServer.Body.ToUtf8String(), Is.EqualTo("from client"));
            Assert.That(atClient.Body.ToUtf8String(), Is.EqualTo("from server"));
            Assert.That(clientGot.Body.ToUtf8String(), Is.EqualTo("server answers"));
            Assert.That(clientGot.ServiceId, Is.EqualTo(10));
            Assert.That(serverGot.Body.ToUtf8String(), Is.EqualTo("client answers"));
            Assert.That(serverGot.ServiceId, Is.EqualTo(20));
        }
    }

    [Test]
    public async Task TheResponseComesBackAsItCame()
    {
        await using var pair = await Loopback.PairAsync(kind);
        byte[] body = [0, 1, 2, 0xfe, 0xff, 0, 0x80];
        var request = await pair.Client.SendRequestAsync(77, new byte[] { 9 }).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendResponseAsync(12345, body).Within();

        var response = await request.ReceiveResponseAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(request.RequestId, 12345)));
            Assert.That(response.Bytes(), Is.EqualTo(body));
            Assert.That(response.IsErrorResponse, Is.False);
            Assert.That(request.IsClosed, Is.True);
            Assert.That(received.IsClosed, Is.True);
        }
    }

    [Test]
    public async Task EmptyBodiesRoundTrip()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(0, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        Assert.That(received.Body.Length, Is.Zero);
        await received.SendResponseAsync(0, StreamBody.Empty).Within();
        var response = await request.ReceiveResponseAsync().Within();
        Assert.That(response.Body.Length, Is.Zero);
    }

    [Test]
    public async Task AnErrorResponseIsReturnedAndThrowIfErrorThrowsItsText()
    {
        const string text = "failed to process request: ünïcødé ✓";
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(3, new byte[] { 1 }).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendErrorResponseAsync(text).Within();

        var response = await request.ReceiveResponseAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.IsErrorResponse, Is.True);
            Assert.That(response.ServiceId, Is.EqualTo(-1));
            Assert.That(response.GetErrorMessage(), Is.EqualTo(text));
        }

        var error = Assert.Throws<RemoteErrorException>(() => response.ThrowIfError())!;
        Assert.That(error.Message, Is.EqualTo(text));
        Assert.That(error.RequestId, Is.EqualTo(request.RequestId));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(-2)]
    [TestCase(int.MinValue)]
    [TestCase(int.MaxValue)]
    public async Task EveryResponseServiceIdButMinusOneIsSuccess(int serviceId)
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(3, new byte[] { 1 }).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendResponseAsync(serviceId, StreamBody.FromString("ok")).Within();

        var response = await request.ReceiveResponseAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.ServiceId, Is.EqualTo(serviceId));
            Assert.That(response.IsErrorResponse, Is.False);
            Assert.That(response.ThrowIfError().Body.ToUtf8String(), Is.EqualTo("ok"));
            Assert.Throws<InvalidOperationException>(() => response.GetErrorMessage());
        }
    }

    [Test]
    public async Task TheResponseCanBeReceivedOnlyOnce()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var request = await pair.Client.SendRequestAsync(3, new byte[] { 1 }).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await received.SendResponseAsync(0, new byte[] { 2 }).Within();
        await request.ReceiveResponseAsync().Within();

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await request.ReceiveResponseAsync().Within());
        Assert.That(await request.ReceiveUpdateAsync().Within(), Is.Null);
        Assert.That(pair.Client.OpenSentRequests, Is.Zero);
    }

    private static async Task AssertRoundTripAsync(PeerHandle<StreamBody> requester, PeerHandle<StreamBody> responder)
    {
        var request = await requester.SendRequestAsync(42, StreamBody.FromString("Hello World")).Within();
        Assert.That(requester.OpenSentRequests, Is.EqualTo(1));

        var received = await responder.ReceiveRequestAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(received.RequestId, Is.EqualTo(request.RequestId));
            Assert.That(received.ServiceId, Is.EqualTo(42));
            Assert.That(received.Message.Header, Is.EqualTo(MessageHeader.Request(request.RequestId, 42)));
            Assert.That(received.Body.ToUtf8String(), Is.EqualTo("Hello World"));
            Assert.That(responder.OpenReceivedRequests, Is.EqualTo(1));
        }

        await received.SendResponseAsync(42, StreamBody.FromString("Hello back")).Within();
        var response = await request.ReceiveResponseAsync().Within();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(request.RequestId, 42)));
            Assert.That(response.Body.ToUtf8String(), Is.EqualTo("Hello back"));
            Assert.That(requester.OpenSentRequests, Is.Zero);
            Assert.That(responder.OpenReceivedRequests, Is.Zero);
        }
    }
}
