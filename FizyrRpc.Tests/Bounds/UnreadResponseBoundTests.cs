using System.Buffers;
using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Bounds;

/// <summary>
/// A client that floods requests and does not read the answers cannot make the server hold more than
/// <see cref="PeerOptions.MaxOpenReceivedRequests"/> answers: a received request counts until its response has been
/// handed to the socket, and at the bound the server stops reading (issue 11: 520 MiB for 100,000 × 4 KiB requests).
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class UnreadResponseBoundTests(LoopbackKind kind)
{
    private const int MaxOpen = 8;
    private const int Requests = 1000; // 4 MiB each way, far more than the kernel buffers hold
    private const int BodyLength = 4096;

    [Test]
    public async Task TheServerHoldsAtMostTheOpenRequestLimitOfResponseBodies()
    {
        using var sockets = await Loopback.SocketPairAsync(kind);
        // Fixed kernel buffers (no autotuning) far smaller than the flood: the unread answers pile up in the server, if
        // anywhere. Not tiny, which would make TCP crawl on zero-window probes once the client reads.
        foreach (var socket in new[] { sockets.Server, sockets.Client })
        {
            socket.SendBufferSize = 64 << 10;
            socket.ReceiveBufferSize = 64 << 10;
        }

        // A request stops counting once its answer is handed to the socket; the answers of that batch go back to the pool
        // when the send completes, a moment later. So the bodies out at once are bounded by the open requests plus one
        // batch just written (at most MaxOpen more): the bound that holds, far below the flood's 1000.
        const int heldBound = 2 * MaxOpen;
        var pool = new HeldArrays(MaxOpen, heldBound);
        var options = new PeerOptions { MaxOpenReceivedRequests = MaxOpen, OutgoingQueueCapacity = 16, IncomingQueueCapacity = 4 };
        await using var server = global::FizyrRpc.Peer.Start(new StreamTransport(sockets.Server, null, sockets.ServerInfo), options);
        var serving = ServeAsync(server, pool);

        // The client writes every request and reads nothing until the server has either reached the bound (the answers
        // it holds are as many as the limit) or gone past it, or the client wrote them all (nothing held it back).
        var sending = Task.Run(() => SendRequestsAsync(sockets.Client));
        await Task.WhenAny(sending, pool.ReachedStall, pool.WentPastBound).Within();
        Assert.That(pool.MaxOutstanding, Is.LessThanOrEqualTo(heldBound), "response bodies held while the client read nothing");
        Assert.That(sending.IsCompleted, Is.False, "the server stopped reading the client's requests");

        // Now the client reads: every request is answered, and the bound held throughout.
        var responses = await ReadResponsesAsync(sockets.Client).Within();
        await sending.Within();
        Assert.That(responses, Is.EqualTo(Requests));
        Assert.That(pool.MaxOutstanding, Is.LessThanOrEqualTo(heldBound));
        await server.CloseAsync().Within();
        await serving.Within();
    }

    // Answers each request in turn with a pooled 4 KiB body. In turn, so the open requests (at most the incoming queue
    // and the one being answered) never fill the limit alone: the bound is reached by unwritten answers.
    private static async Task ServeAsync(PeerHandle<StreamBody> server, HeldArrays pool)
    {
        await foreach (var message in server.ReadMessagesAsync())
        {
            using var request = message.Request!;
            request.Body.Dispose();
            var body = StreamBody.Rent(pool, BodyLength, out var contents);
            contents.Span.Fill((byte)request.RequestId);
            try
            {
                await request.SendResponseAsync(1, body);
            }
            catch (ConnectionClosedException)
            {
                return;
            }
        }
    }

    private static async Task SendRequestsAsync(Socket client)
    {
        var body = new byte[BodyLength];
        for (var i = 0; i < Requests; i++)
        {
            var frame = RawPeer.Frame(MessageHeader.Request((uint)i, 1), body, Endian.Little);
            var sent = 0;
            while (sent < frame.Length)
                sent += await client.SendAsync(frame.AsMemory(sent), SocketFlags.None);
        }
    }

    private static async Task<int> ReadResponsesAsync(Socket client)
    {
        var frame = new byte[StreamFraming.PrefixAndHeaderSize + BodyLength];
        for (var i = 0; i < Requests; i++)
        {
            var received = 0;
            while (received < frame.Length)
            {
                var count = await client.ReceiveAsync(frame.AsMemory(received), SocketFlags.None);
                if (count == 0)
                    return i;
                received += count;
            }

            var header = MessageHeader.Decode(frame.AsSpan(StreamFraming.LengthPrefixSize), Endian.Little);
            Assert.That(header.MessageType, Is.EqualTo(MessageType.Response));
            Assert.That(frame[^1], Is.EqualTo((byte)header.RequestId), "each answer carries its own request's bytes");
        }

        return Requests;
    }
}
