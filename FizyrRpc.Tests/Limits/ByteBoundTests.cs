using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Limits;

/// <summary>
/// Each per-connection byte bound of <see cref="PeerOptions"/> holds against a remote that floods and does not read,
/// over real sockets: the peer stops reading (or its sender waits) at the bound instead of growing, and once the other
/// side reads again every message arrives, in order. The bodies held are counted by the arrays a pool lends for them,
/// with kernel buffers pinned far below the flood, so what is not in the kernel is in the peer.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class ByteBoundTests(LoopbackKind kind)
{
    private const int LargeBody = 128 << 10; // read by the transport's direct path into a pooled array
    private const int Flood = 256; // 32 MiB of large bodies, far more than the kernel buffers hold

    [Test]
    public async Task TheIncomingQueueHoldsAtMostItsBytesAndTheSocketIsNotReadBeyond()
    {
        using var sockets = await PinnedSocketsAsync();
        // 512 KiB hold three 128 KiB messages; the fourth waits (in the transport, for room to grow): four bodies out, and
        // one more for a moment while a body grows. Once the test reads, the one it took is out too, until disposed.
        var pool = new HeldArrays(stall: 4, bound: 6);
        var config = new StreamConfig { MaxBodyLengthRead = LargeBody, LargeBodyPool = pool };
        var options = new PeerOptions { MaxIncomingQueueBytes = 512 << 10, IncomingQueueCapacity = 10_000 };
        await using var server = global::FizyrRpc.Peer.Start(new StreamTransport(sockets.Server, config, sockets.ServerInfo), options);

        var sending = Task.Run(() => SendStreamsAsync(sockets.Client, Flood, LargeBody));
        await Task.WhenAny(sending, pool.ReachedStall, pool.WentPastBound).Within();
        Assert.That(pool.MaxOutstanding, Is.LessThanOrEqualTo(5), "bodies held while nobody read the incoming queue");
        Assert.That(sending.IsCompleted, Is.False, "the peer stopped reading the socket");

        for (var i = 0; i < Flood; i++)
        {
            var received = await server.ReceiveMessageAsync().Within();
            received.Message.Body.Dispose(); // before the next, so the test itself holds none
            Assert.That(received.Message.Header, Is.EqualTo(MessageHeader.Stream(i)));
        }

        await sending.Within();
        Assert.That(pool.MaxOutstanding, Is.LessThanOrEqualTo(6));
    }

    [Test]
    public async Task TheOutgoingQueueHoldsAtMostItsBytesAndSendersWait()
    {
        using var sockets = await PinnedSocketsAsync();
        const int body = 32 << 10;
        // 256 KiB hold seven messages of 32 KiB and their headers; the sender of the eighth waits holding its body.
        var pool = new HeldArrays(stall: 8, bound: 8);
        var config = new StreamConfig { MaxBodyLengthWrite = body };
        var options = new PeerOptions { MaxOutgoingQueueBytes = 256 << 10, OutgoingQueueCapacity = 10_000 };
        await using var server = global::FizyrRpc.Peer.Start(new StreamTransport(sockets.Server, config, sockets.ServerInfo), options);

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < Flood; i++)
            {
                var message = StreamBody.Rent(pool, body, out var contents);
                contents.Span.Fill((byte)i);
                await server.SendStreamAsync(i, message);
            }
        });
        await Task.WhenAny(sending, pool.ReachedStall, pool.WentPastBound).Within();
        Assert.That(pool.MaxOutstanding, Is.LessThanOrEqualTo(8), "bodies held while the remote read nothing");
        Assert.That(sending.IsCompleted, Is.False, "the sender waits for room");

        var frame = new byte[StreamFraming.PrefixAndHeaderSize + body];
        for (var i = 0; i < Flood; i++)
        {
            await ReceiveExactlyAsync(sockets.Client, frame);
            Assert.That(MessageHeader.Decode(frame.AsSpan(StreamFraming.LengthPrefixSize), Endian.Little), Is.EqualTo(MessageHeader.Stream(i)));
            Assert.That(frame[^1], Is.EqualTo((byte)i));
        }

        await sending.Within();
        Assert.That(pool.MaxOutstanding, Is.LessThanOrEqualTo(8));
    }

    [Test]
    public async Task OpenReceivedRequestsHoldAtMostTheirBytesUntilTheAnswersAreWritten()
    {
        using var sockets = await PinnedSocketsAsync();
        const int response = 32 << 10;
        const int Requests = 2048; // 2 MiB of requests, far more than the kernel buffers hold
        const int RequestBody = 1024;
        // 256 KiB hold the request bodies and the answers not yet written: about seven answers of 32 KiB; then no further
        // request reaches the handler, and the socket is not read. The queues themselves do not bind here.
        var pool = new HeldArrays(stall: 8, bound: 9);
        var config = new StreamConfig { MaxBodyLengthWrite = response };
        var options = new PeerOptions
        {
            MaxOpenReceivedRequestBytes = 256 << 10,
            IncomingQueueCapacity = 64, // queued requests count as open: 64 KiB of them never fill the bound alone
            MaxOutgoingQueueBytes = 1L << 40,
            OutgoingQueueCapacity = 10_000,
        };
        await using var server = global::FizyrRpc.Peer.Start(new StreamTransport(sockets.Server, config, sockets.ServerInfo), options);
        var serving = Task.Run(async () =>
        {
            await foreach (var message in server.ReadMessagesAsync())
            {
                using var request = message.Request!;
                request.Body.Dispose();
                var body = StreamBody.Rent(pool, response, out var contents);
                contents.Span.Fill((byte)request.RequestId);
                await request.SendResponseAsync(1, body);
            }
        });

        var requests = Task.Run(async () =>
        {
            for (var i = 0; i < Requests; i++)
                await SendAllAsync(sockets.Client, RawPeer.Frame(MessageHeader.Request((uint)i, 1), new byte[RequestBody], Endian.Little));
        });
        await Task.WhenAny(requests, pool.ReachedStall, pool.WentPastBound).Within();
        Assert.That(pool.MaxOutstanding, Is.LessThanOrEqualTo(9), "answers held while the remote read none");
        Assert.That(requests.IsCompleted, Is.False, "the peer stopped reading requests");

        var frame = new byte[StreamFraming.PrefixAndHeaderSize + response];
        for (var i = 0; i < Requests; i++)
        {
            await ReceiveExactlyAsync(sockets.Client, frame);
            var header = MessageHeader.Decode(frame.AsSpan(StreamFraming.LengthPrefixSize), Endian.Little);
            Assert.That(header, Is.EqualTo(MessageHeader.Response((uint)i, 1)));
            Assert.That(frame[^1], Is.EqualTo((byte)i));
        }

        await requests.Within();
        Assert.That(pool.MaxOutstanding, Is.LessThanOrEqualTo(9));
        await server.CloseAsync().Within();
        await serving.Within();
    }

    // Fixed kernel buffers (no autotuning), far smaller than the floods; not tiny, which would make TCP crawl.
    private async Task<SocketPair> PinnedSocketsAsync()
    {
        var sockets = await Loopback.SocketPairAsync(kind);
        foreach (var socket in new[] { sockets.Server, sockets.Client })
        {
            socket.SendBufferSize = 64 << 10;
            socket.ReceiveBufferSize = 64 << 10;
        }

        return sockets;
    }

    internal static async Task SendStreamsAsync(Socket socket, int count, int bodyLength)
    {
        var body = new byte[bodyLength];
        for (var i = 0; i < count; i++)
            await SendAllAsync(socket, RawPeer.Frame(MessageHeader.Stream(i), body, Endian.Little));
    }

    internal static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
            bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None)..];
    }

    internal static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        for (var received = 0; received < buffer.Length;)
        {
            var count = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None).AsTask().Within();
            Assert.That(count, Is.Not.Zero, "the connection ended");
            received += count;
        }
    }
}
