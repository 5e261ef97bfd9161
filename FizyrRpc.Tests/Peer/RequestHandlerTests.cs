using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Peer;

/// <summary>
/// The request-handler hook (<see cref="PeerReadHandle{TBody}.SetRequestHandler"/>) over real sockets: requests
/// answered from the read loop, the handler bound as backpressure, inline handlers that leave the loop at their first
/// pending await, the option that turns inline off, and the answers of one read batch written in order in one send.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class RequestHandlerTests(LoopbackKind kind)
{
    [Test]
    public async Task HandlerAnswersEveryRequestAndStreamsStillComeThroughTheReadHandle()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (client, server) = pair;
        var handlers = server.SetRequestHandler(static request =>
        {
            using (request)
                return request.SendResponseAsync(request.ServiceId, StreamBody.FromBytes(request.Body.Data.ToArray()));
        });

        var calls = Enumerable.Range(0, 200).Select(async i =>
        {
            await using var sent = await client.SendRequestAsync(i % 7, StreamBody.FromString($"body {i}"));
            var response = await sent.ReceiveResponseAsync();
            return (response.Header.ServiceId, Text: System.Text.Encoding.UTF8.GetString(response.Body.Data.Span));
        }).ToList();
        var answers = await Task.WhenAll(calls).Within();
        Assert.That(answers, Is.EqualTo(Enumerable.Range(0, 200).Select(i => (i % 7, $"body {i}"))));

        await client.SendStreamAsync(9, StreamBody.FromString("stream"));
        var stream = await server.ReceiveStreamAsync();
        Assert.That((stream.Header.ServiceId, stream.Bytes()), Is.EqualTo((9, "stream"u8.ToArray())));

        Assert.Throws<InvalidOperationException>(() => server.SetRequestHandler(_ => default));
        await server.DisposeAsync();
        await handlers.WhenHandlersDoneAsync().Within();
        Assert.That(handlers.RunningHandlers, Is.Zero);
    }

    [Test]
    public async Task AtTheHandlerBoundTheConnectionStopsReading()
    {
        const int bound = 4;
        const int requests = 1000;
        const int bodyLength = 4096; // 4 MiB in all, far more than the kernel buffers hold
        using var sockets = await Loopback.SocketPairAsync(kind);
        foreach (var socket in new[] { sockets.Server, sockets.Client })
        {
            socket.SendBufferSize = 64 << 10;
            socket.ReceiveBufferSize = 64 << 10;
        }

        await using var server = global::FizyrRpc.Peer.Start(new StreamTransport(sockets.Server, null, sockets.ServerInfo));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var past = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int running = 0, maxRunning = 0;
        server.SetRequestHandler(async request =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            if (now == bound)
                reached.TrySetResult();
            if (now > bound)
                past.TrySetResult();
            using (request)
            {
                await gate.Task;
                Interlocked.Decrement(ref running);
                await request.SendResponseAsync(1, StreamBody.Empty);
            }
        }, new RequestHandlerOptions { MaxConcurrentHandlers = bound });

        // The client floods requests; every handler waits at the gate, so the server must stop reading at the bound.
        var sending = Task.Run(async () =>
        {
            var body = new byte[bodyLength];
            for (var i = 0; i < requests; i++)
            {
                var frame = RawPeer.Frame(MessageHeader.Request((uint)i, 1), body, Endian.Little);
                for (var sent = 0; sent < frame.Length;)
                    sent += await sockets.Client.SendAsync(frame.AsMemory(sent), SocketFlags.None);
            }
        });
        await Task.WhenAny(sending, reached.Task, past.Task).Within();
        Assert.That(past.Task.IsCompleted, Is.False, "more handlers ran than the bound");
        Assert.That(sending.IsCompleted, Is.False, "the server read the whole flood while its handlers were at the bound");
        Assert.That(reached.Task.IsCompleted, Is.True);

        // Open the gate and read the answers: all are served, never more than the bound at once.
        gate.SetResult();
        var raw = RawPeer.Over(sockets, server);
        for (var i = 0; i < requests; i++)
        {
            var (header, _) = await raw.ReceiveMessageAsync();
            Assert.That(header.MessageType, Is.EqualTo(MessageType.Response));
        }

        await sending.Within();
        Assert.That(maxRunning, Is.EqualTo(bound));
    }

    [Test]
    public async Task AnInlineHandlerLeavesTheReadLoopAtItsFirstPendingAwait()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (client, server) = pair;
        using var unblocked = new ManualResetEventSlim();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.SetRequestHandler(async request =>
        {
            using (request)
            {
                if (request.ServiceId == 1)
                {
                    // Waits for the requester's update (a real await: the loop reads on), then blocks its thread until
                    // the second request has been handled: had it resumed on the read loop, the second request could
                    // never be read.
                    first.TrySetResult();
                    var update = await request.ReceiveUpdateAsync();
                    Assert.That(update, Is.Not.Null);
                    update!.Value.Body.Dispose();
                    var wasSet = unblocked.Wait(Loopback.Timeout);
                    await request.SendResponseAsync(1, StreamBody.FromString(wasSet ? "unblocked" : "stalled"));
                }
                else
                {
                    unblocked.Set();
                    await request.SendResponseAsync(2, StreamBody.FromString("second"));
                }
            }
        });

        await using var blocking = await client.SendRequestAsync(1, StreamBody.Empty);
        await first.Task.Within();
        await blocking.SendUpdateAsync(1, StreamBody.Empty);
        await using var second = await client.SendRequestAsync(2, StreamBody.Empty);
        Assert.That((await second.ReceiveResponseAsync().Within()).Bytes(), Is.EqualTo("second"u8.ToArray()));
        Assert.That((await blocking.ReceiveResponseAsync().Within()).Bytes(), Is.EqualTo("unblocked"u8.ToArray()));
    }

    [Test]
    public async Task WithInlineOffAHandlerThatBlocksAtOnceDoesNotStallTheConnection()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (client, server) = pair;
        using var unblocked = new ManualResetEventSlim();
        var loopThreadBlocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.SetRequestHandler(request =>
        {
            using (request)
            {
                if (request.ServiceId == 1)
                {
                    // Blocks before any await: on the read loop this would keep the second request from being read.
                    loopThreadBlocked.TrySetResult();
                    var wasSet = unblocked.Wait(Loopback.Timeout);
                    return request.SendResponseAsync(1, StreamBody.FromString(wasSet ? "unblocked" : "stalled"));
                }

                unblocked.Set();
                return request.SendResponseAsync(2, StreamBody.FromString("second"));
            }
        }, new RequestHandlerOptions { PreferInlineHandlers = false });

        await using var blocking = await client.SendRequestAsync(1, StreamBody.Empty);
        await loopThreadBlocked.Task.Within();
        await using var second = await client.SendRequestAsync(2, StreamBody.Empty);
        Assert.That((await second.ReceiveResponseAsync().Within()).Bytes(), Is.EqualTo("second"u8.ToArray()));
        Assert.That((await blocking.ReceiveResponseAsync().Within()).Bytes(), Is.EqualTo("unblocked"u8.ToArray()));
    }

    [Test]
    public async Task TheAnswersOfOneReadBatchGoOutInOrderInOneWrite()
    {
        const int requests = 50;
        using var sockets = await Loopback.SocketPairAsync(kind);
        var transport = new CountingTransport(new StreamTransport(sockets.Server, null, sockets.ServerInfo));
        await using var server = global::FizyrRpc.Peer.Start(transport);
        var handled = 0;
        server.SetRequestHandler(request =>
        {
            using (request)
            {
                Interlocked.Increment(ref handled);
                return request.SendResponseAsync(0, StreamBody.FromBytes(request.Body.Data.ToArray()));
            }
        });

        // Every request in one client write: the server reads them in one go and answers them all inline.
        var raw = RawPeer.Over(sockets, server);
        var frames = Enumerable.Range(0, requests)
            .SelectMany(i => RawPeer.Frame(MessageHeader.Request((uint)i, 1), BitConverter.GetBytes(i), Endian.Little)).ToArray();
        await raw.SendAsync(frames);
        for (var i = 0; i < requests; i++)
        {
            var (header, body) = await raw.ReceiveMessageAsync();
            Assert.That((header.RequestId, BitConverter.ToInt32(body)), Is.EqualTo(((uint)i, i)), "answers in the order of the requests");
        }

        Assert.That(handled, Is.EqualTo(requests));
        Assert.That(transport.Writes, Is.EqualTo(1), "the answers of one read batch are written in one send");
        Assert.That(transport.Messages, Is.EqualTo(requests));
    }

    [Test]
    public async Task AHandlerThatThrowsHasItsRequestAnsweredWithAnErrorAndItsExceptionKept()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (client, server) = pair;
        var handlers = server.SetRequestHandler(static _ => throw new InvalidOperationException("handler bug"));

        await using var sent = await client.SendRequestAsync(1, StreamBody.Empty);
        var response = await sent.ReceiveResponseAsync().Within();
        Assert.That(response.Header.IsErrorResponse, Is.True);
        Assert.That(System.Text.Encoding.UTF8.GetString(response.Body.Data.Span), Is.EqualTo(ReceivedRequest<StreamBody>.DroppedErrorText));

        await server.DisposeAsync();
        var error = await TestWaits.ThrowsAsync<InvalidOperationException>(handlers.WhenHandlersDoneAsync);
        Assert.That(error.Message, Is.EqualTo("handler bug"));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
