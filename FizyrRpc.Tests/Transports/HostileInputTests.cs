using System.Net;
using System.Net.Sockets;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Transports;

/// <summary>
/// A raw socket sends a running server what a conforming peer never would. That connection ends with the right
/// reason, detected from the bytes sent alone (the raw side never closes first), the raw socket sees the end, and the
/// same listener goes on serving fresh connections.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class HostileInputTests(LoopbackKind kind)
{
    /// <summary>The framing vectors that must end the connection with a protocol error, and that error.</summary>
    private static readonly Dictionary<string, ProtocolError> FatalVectors = new()
    {
        ["length below header size"] = ProtocolError.MessageTooShort,
        ["length zero"] = ProtocolError.MessageTooShort,
        ["invalid message type 5"] = ProtocolError.InvalidMessageType,
        ["invalid message type 0xFFFFFFFF"] = ProtocolError.InvalidMessageType,
        ["body over the read limit"] = ProtocolError.PayloadTooLarge,
    };

    // Named here (not filtered from the file) so a renamed or missing vector fails instead of silently vanishing.
    public static IEnumerable<TestCaseData> FatalFramingVectors() =>
        FatalVectors.Select(v => new TestCaseData(v.Key, v.Value).SetArgDisplayNames(v.Key));

    [TestCaseSource(nameof(FatalFramingVectors))]
    public async Task FramingErrorEndsThatConnectionOnly(string name, ProtocolError expected)
    {
        var vector = WireVectors.GetInvalid(name);
        await using var listener = await TestListener.StartAsync(kind);
        var (raw, server) = await listener.ConnectRawAsync();
        using (raw)
        await using (server)
        {
            await SendAllAsync(raw, vector.Framed);

            await AssertProtocolErrorAsync(server, expected);
            await RawSocketAssert.SeesCloseAsync(raw);
        }

        await listener.AssertEchoAsync();
    }

    [Test]
    public async Task TruncatedFrameThenEndOfStreamDeliversNothing()
    {
        var vector = WireVectors.GetInvalid("truncated frame then EOF");
        await using var listener = await TestListener.StartAsync(kind);
        var (raw, server) = await listener.ConnectRawAsync();
        using (raw)
        await using (server)
        {
            await SendAllAsync(raw, vector.Framed);
            raw.Shutdown(SocketShutdown.Send);

            // The first thing the server sees is the end: no partial request.
            var closed = await Await.ThrowsAsync<ConnectionClosedException>(() => server.ReceiveMessageAsync().AsTask());
            Assert.That(closed.Reason, Is.AnyOf(CloseReason.EndedMidMessage, CloseReason.TransportError), closed.ToString());
            Assert.That(server.OpenReceivedRequests, Is.Zero);
            await server.Completion.WithTimeout();
            await RawSocketAssert.SeesCloseAsync(raw);
        }

        await listener.AssertEchoAsync();
    }

    [TestCase(1)]
    [TestCase(42)]
    [TestCase(20240607)]
    [TestCase(int.MaxValue)]
    public async Task RandomGarbageEndsTheConnection(int seed)
    {
        var garbage = new byte[512];
        new Random(seed).NextBytes(garbage);
        await using var listener = await TestListener.StartAsync(kind);
        var (raw, server) = await listener.ConnectRawAsync();
        using (raw)
        await using (server)
        {
            await SendAllAsync(raw, garbage);

            var error = await AssertProtocolErrorAsync(server, expected: null);
            Assert.That(error.Error, Is.AnyOf(ProtocolError.MessageTooShort, ProtocolError.PayloadTooLarge, ProtocolError.InvalidMessageType));
            await RawSocketAssert.SeesCloseAsync(raw);
        }

        await listener.AssertEchoAsync();
    }

    [Test]
    public async Task HugeDeclaredLengthIsRejectedFromTheFourLengthBytes([Values] bool largestReadLimit)
    {
        // Even with the largest read limit a config allows, a length of 2^32 - 1 is refused before anything else.
        var config = largestReadLimit ? new StreamConfig { MaxBodyLengthRead = int.MaxValue } : null;
        await using var listener = await TestListener.StartAsync(kind, config);
        var (raw, server) = await listener.ConnectRawAsync();
        using (raw)
        await using (server)
        {
            await SendAllAsync(raw, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });

            await AssertProtocolErrorAsync(server, ProtocolError.PayloadTooLarge);
            await RawSocketAssert.SeesCloseAsync(raw);
        }

        await listener.AssertEchoAsync();
    }

    [Test]
    public async Task InvalidMessageTypeAfterAValidExchangeEndsEveryPendingWait()
    {
        await using var listener = await TestListener.StartAsync(kind);
        var (raw, server) = await listener.ConnectRawAsync();
        using (raw)
        await using (server)
        {
            await SendAllAsync(raw, WireVectors.GetValid("echo request").Framed);
            var request = (await server.ReceiveMessageAsync().WithTimeout()).Request!;
            var sent = await server.SendRequestAsync(2, StreamBody.FromString("pending"));
            var response = sent.ReceiveResponseAsync().AsTask();
            var update = request.ReceiveUpdateAsync().AsTask();

            await SendAllAsync(raw, WireVectors.GetInvalid("invalid message type 5").Framed);

            await AssertProtocolErrorAsync(server, ProtocolError.InvalidMessageType);
            await Await.ClosedAsync(response, CloseReason.ProtocolError);
            await Await.ClosedAsync(update, CloseReason.ProtocolError);
            await Await.ClosedAsync(() => request.SendResponseAsync(0, StreamBody.Empty).AsTask(), CloseReason.ProtocolError);
        }

        await listener.AssertEchoAsync();
    }

    [Test]
    public async Task ReadMessagesAsyncThrowsWhenTheConnectionEndsOnAProtocolError()
    {
        await using var listener = await TestListener.StartAsync(kind);
        var (raw, server) = await listener.ConnectRawAsync();
        using (raw)
        await using (server)
        {
            await SendAllAsync(raw, WireVectors.GetValid("stream").Framed);
            await SendAllAsync(raw, WireVectors.GetInvalid("invalid message type 0xFFFFFFFF").Framed);

            var received = new List<MessageHeader>();
            var error = await Await.ThrowsAsync<ConnectionClosedException>(async () =>
            {
                await foreach (var message in server.ReadMessagesAsync())
                    received.Add(message.Header);
            });

            Assert.That(error.Reason, Is.EqualTo(CloseReason.ProtocolError));
            Assert.That(received, Is.EqualTo(new[] { MessageHeader.Stream(3) }), "the valid message before the error is delivered");
        }
    }

    [Test]
    public async Task ConnectedClientClosesOnAnInvalidMessageType()
    {
        // The other direction: a client made by ConnectAsync, facing a raw server.
        using var folder = kind == LoopbackKind.Unix ? TempFolder.Create() : null;
        using var listener = kind == LoopbackKind.Tcp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(kind == LoopbackKind.Tcp ? new IPEndPoint(IPAddress.Loopback, 0) : new UnixDomainSocketEndPoint(folder!.SocketPath));
        listener.Listen(1);
        var accept = listener.AcceptAsync();
        await using var client = kind == LoopbackKind.Tcp
            ? await TcpPeer.ConnectAsync((IPEndPoint)listener.LocalEndPoint!).WithTimeout()
            : await UnixStreamPeer.ConnectAsync(folder!.SocketPath).WithTimeout();
        using var server = await accept.WithTimeout();
        var sent = await client.SendRequestAsync(1, StreamBody.FromString("hello"));

        await SendAllAsync(server, WireVectors.GetInvalid("invalid message type 5").Framed);

        await AssertProtocolErrorAsync(client, ProtocolError.InvalidMessageType);
        await Await.ClosedAsync(() => sent.ReceiveResponseAsync().AsTask(), CloseReason.ProtocolError);
    }

    private static async Task SendAllAsync(Socket socket, byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None).AsTask().WithTimeout();
    }

    /// <summary>
    /// The connection ended on a fatal protocol error (of kind <paramref name="expected"/>, when given): the read fails
    /// with it, the connection's close error carries it, and the connection has completed.
    /// </summary>
    private static async Task<RpcProtocolException> AssertProtocolErrorAsync(PeerHandle<StreamBody> peer, ProtocolError? expected)
    {
        var closed = await Await.ClosedAsync(() => peer.ReceiveMessageAsync().AsTask(), CloseReason.ProtocolError);
        Assert.That(closed.InnerException, Is.InstanceOf<RpcProtocolException>());
        var error = (RpcProtocolException)closed.InnerException!;
        Assert.That(error.IsFatal, Is.True);
        if (expected is not null)
            Assert.That(error.Error, Is.EqualTo(expected), error.Message);
        await ConnectionAssert.EndedAsync(peer, CloseReason.ProtocolError);
        Assert.That(peer.CloseError!.InnerException, Is.SameAs(error));
        return error;
    }
}
