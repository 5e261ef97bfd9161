using System.Net.Sockets;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.Peer;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Transports;

/// <summary>
/// Bodies large enough that the stream transport receives them straight into their own array, bypassing its read
/// buffer. A raw socket sends them in awkward pieces; every byte must land in order, and what follows must still parse.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class LargeBodyTests(LoopbackKind kind)
{
    private const int Limit = 4 << 20;

    private static readonly StreamConfig Config = new() { MaxBodyLengthRead = Limit, MaxBodyLengthWrite = Limit };

    // Pieces that end inside the prefix, inside the header, just past it, and at odd points of the body.
    [TestCase(64 * 1024, new[] { 2, 9, 17, 4093 })]
    [TestCase(1 << 20, new[] { 16, 70_000, 1 })]
    [TestCase((1 << 20) + 7, new[] { 3 })]
    [TestCase(3 << 20, new[] { 16 })]
    public async Task ALargeBodyArrivesWholeAndTheNextMessageStillParses(int bodyLength, int[] cuts)
    {
        await using var listener = await TestListener.StartAsync(kind, Config);
        var (raw, server) = await listener.ConnectRawAsync();
        using (raw)
        await using (server)
        {
            var body = Pattern(bodyLength, seed: bodyLength);
            var small = Pattern(100, seed: 1);
            var bytes = RawPeer.Frame(MessageHeader.Stream(5), body, Endian.Little)
                .Concat(RawPeer.Frame(MessageHeader.Stream(6), small, Endian.Little))
                .ToArray();
            var sending = SendInPiecesAsync(raw, bytes, cuts);

            var first = await server.ReceiveMessageAsync().AsTask().WithTimeout();
            var second = await server.ReceiveMessageAsync().AsTask().WithTimeout();
            await sending;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(first.Header, Is.EqualTo(MessageHeader.Stream(5)));
                Assert.That(first.Message.Body.Span.SequenceEqual(body), Is.True, "the large body, byte for byte");
                Assert.That(first.Message.Body.IsRented, Is.False, "no pool configured: a plain array");
                Assert.That(second.Header, Is.EqualTo(MessageHeader.Stream(6)));
                Assert.That(second.Message.Body.Span.SequenceEqual(small), Is.True);
            }
        }
    }

    [Test]
    public async Task LargeBodiesRoundTripBetweenTwoPeers()
    {
        await using var listener = await TestListener.StartAsync(kind, Config);
        var (client, server) = await listener.ConnectPairAsync(Config);
        await using (client)
        await using (server)
        {
            var serving = Task.Run(async () =>
            {
                for (var i = 0; i < 8; i++)
                {
                    var request = await server.ReceiveRequestAsync();
                    await request.SendResponseAsync(request.ServiceId, request.Body);
                }
            });

            // Eight requests in flight at once, of sizes around the point where bodies bypass the read buffer.
            var sizes = new[] { 65_535, 65_536, 65_537, 200_000, 1 << 20, 10, (2 << 20) + 3, 0 };
            var sent = new List<(SentRequest<StreamBody> Request, byte[] Body)>();
            for (var i = 0; i < sizes.Length; i++)
            {
                var body = Pattern(sizes[i], seed: i);
                sent.Add((await client.SendRequestAsync(i, body).AsTask().WithTimeout(), body));
            }

            foreach (var (request, body) in sent)
            {
                var response = await request.ReceiveResponseAsync().AsTask().WithTimeout();
                Assert.That(response.ServiceId, Is.EqualTo(request.ServiceId));
                Assert.That(response.Body.Span.SequenceEqual(body), Is.True, $"body of {body.Length} bytes");
            }

            await serving.WithTimeout();
        }
    }

    [Test]
    public async Task TheStreamEndingInsideALargeBodyDeliversNothing()
    {
        await using var listener = await TestListener.StartAsync(kind, Config);
        var (raw, server) = await listener.ConnectRawAsync();
        using (raw)
        await using (server)
        {
            var frame = RawPeer.Frame(MessageHeader.Request(1, 2), Pattern(1 << 20, seed: 3), Endian.Little);
            await SendInPiecesAsync(raw, frame.AsSpan(0, 300_000).ToArray(), [16]);
            raw.Shutdown(SocketShutdown.Send);

            var closed = await Await.ThrowsAsync<ConnectionClosedException>(() => server.ReceiveMessageAsync().AsTask());
            Assert.That(closed.Reason, Is.EqualTo(CloseReason.EndedMidMessage), closed.ToString());
            Assert.That(closed.InnerException, Is.InstanceOf<EndOfStreamException>());
            Assert.That(server.OpenReceivedRequests, Is.Zero);
            await server.Completion.WithTimeout();
            await RawSocketAssert.SeesCloseAsync(raw);
        }

        await listener.AssertEchoAsync();
    }

    [Test]
    public async Task WithAPoolLargeBodiesAreRentedAndComeBackOnceWhenDisposedOrSentOn()
    {
        var pool = new CountingArrayPool();
        var pooled = new StreamConfig { MaxBodyLengthRead = Limit, MaxBodyLengthWrite = Limit, LargeBodyPool = pool };
        await using var listener = await TestListener.StartAsync(kind, pooled);
        var (client, server) = await listener.ConnectPairAsync(pooled);
        await using (client)
        await using (server)
        {
            var large = Pattern(300_000, seed: 5);
            var request = await client.SendRequestAsync(1, large).AsTask().WithTimeout();
            var received = await server.ReceiveRequestAsync();
            Assert.That(received.Body.IsRented, Is.True, "a large received body is rented");
            Assert.That(received.Body.Span.SequenceEqual(large), Is.True);
            Assert.That(pool.Rented - pool.Returned, Is.EqualTo(1), "one array is out: the body's (smaller ones went back as it grew)");

            // Sent back: the server's writer returns the array once the response is written.
            await received.SendResponseAsync(0, received.Body).AsTask().WithTimeout();
            var response = await request.ReceiveResponseAsync().AsTask().WithTimeout();
            Assert.That(response.Body.IsRented, Is.True);
            Assert.That(response.Body.Span.SequenceEqual(large), Is.True);
            await pool.WaitForReturnsAsync(pool.Rented - 1); // all but the response's

            // Disposed twice (two copies of the same body): returned once.
            var copy = response.Body;
            response.Body.Dispose();
            copy.Dispose();
            await pool.WaitForReturnsAsync(pool.Rented);
            var rented = pool.Rented;
            Assert.That(pool.Returned, Is.EqualTo(rented), "each array back exactly once");

            // A small body never touches the pool.
            var small = await client.SendRequestAsync(2, Pattern(1000, seed: 6)).AsTask().WithTimeout();
            var smallReceived = await server.ReceiveRequestAsync();
            Assert.That(smallReceived.Body.IsRented, Is.False);
            await smallReceived.SendResponseAsync(0, StreamBody.Empty).AsTask().WithTimeout();
            await small.ReceiveResponseAsync().AsTask().WithTimeout();
            Assert.That(pool.Rented, Is.EqualTo(rented));
        }
    }

    [Test]
    public async Task WithAPoolABodyCutShortByTheEndOfStreamGoesBack()
    {
        var pool = new CountingArrayPool();
        var pooled = new StreamConfig { MaxBodyLengthRead = Limit, LargeBodyPool = pool };
        await using var listener = await TestListener.StartAsync(kind, pooled);
        var (raw, server) = await listener.ConnectRawAsync();
        using (raw)
        await using (server)
        {
            var frame = RawPeer.Frame(MessageHeader.Stream(1), Pattern(500_000, seed: 7), Endian.Little);
            await SendInPiecesAsync(raw, frame.AsSpan(0, 200_000).ToArray(), [16]);
            raw.Shutdown(SocketShutdown.Send);

            await Await.ThrowsAsync<ConnectionClosedException>(() => server.ReceiveMessageAsync().AsTask());
            await pool.WaitForReturnsAsync(pool.Rented);
            Assert.That(pool.Rented, Is.GreaterThanOrEqualTo(1));
            Assert.That(pool.Returned, Is.EqualTo(pool.Rented), "every array of the cut body went back once");
        }
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Sends the first pieces with the given lengths one by one (each awaited, so the receiver sees them apart), then the rest.
    private static async Task SendInPiecesAsync(Socket socket, byte[] bytes, int[] cuts)
    {
        var offset = 0;
        foreach (var cut in cuts.Append(bytes.Length))
        {
            var end = Math.Min(bytes.Length, cut == bytes.Length ? cut : offset + cut);
            while (offset < end)
                offset += await socket.SendAsync(bytes.AsMemory(offset, end - offset), SocketFlags.None).AsTask().WithTimeout();
        }
    }
}
