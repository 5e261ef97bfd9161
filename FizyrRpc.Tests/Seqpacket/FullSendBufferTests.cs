using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// A reader that stops reading lets the writer's socket fill up (sendmmsg says "no room"); when the reader goes on,
/// the writer must notice the room and go on too. With and without descriptors, since the two wait differently.
/// </summary>
[TestFixture(Direction.ClientToServer)]
[TestFixture(Direction.ServerToClient)]
public class FullSendBufferTests(Direction direction) : SeqpacketFixture
{
    // Far more than the socket's queue holds: at some point the writer must wait for room.
    private const int Count = 3000;

    [TestCase(false)]
    [TestCase(true)]
    public async Task AStalledReaderThatGoesOnGetsEveryMessageInOrder(bool withDescriptors)
    {
        var options = new PeerOptions { IncomingQueueCapacity = 4 }; // the stalled side stops reading its socket early
        await using var pair = await SeqpacketPair.ConnectAsync(options: options);
        var (writer, reader) = pair.Sides(direction);

        // The writer's queue (1024) fills only once its loop can no longer hand messages to the socket: the first send
        // that has to wait says the writer is stuck behind a full socket.
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < Count; i++)
            {
                var body = withDescriptors && i % 100 == 0 ? Bodies.WithMemfds($"{i}", $"fd {i}") : Bodies.Text($"{i}");
                var send = writer.SendStreamAsync(1, body);
                if (!send.IsCompleted)
                    stuck.TrySetResult();
                await send;
            }
        });

        await Task.WhenAny(stuck.Task, writing).WithTimeout();
        Assert.That(stuck.Task.IsCompleted, Is.True, "the writer never had to wait: the test did not fill the socket");
        for (var i = 0; i < Count; i++)
        {
            var message = await reader.ReceiveMessageAsync().WithTimeout();
            using var body = message.Message.Body;
            Assert.That(Bodies.TextOf(body), Is.EqualTo($"{i}"));
            if (withDescriptors && i % 100 == 0)
                Bodies.AssertMemfds(body, $"{i}", $"fd {i}");
        }

        await writing.WithTimeout();
    }

    [Test]
    public async Task ThousandsOfEchoedRequestsInFlightBothWaysAllComeBack()
    {
        // Both sockets fill at once: the responder's answers back up behind its own full socket while the requester
        // keeps sending. Each writer must see the room the other side's reads make.
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (requester, responder) = pair.Sides(direction);
        var serving = Task.Run(async () =>
        {
            await foreach (var message in responder.ReadMessagesAsync())
            {
                if (message.Request is { } request)
                    await request.SendResponseAsync(request.ServiceId, request.Body);
            }
        });

        var asking = Enumerable.Range(0, 4096).Select(i => Task.Run(async () =>
        {
            using var sent = await requester.SendRequestAsync(i, Bodies.Text($"{i}"));
            using var response = (await sent.ReceiveResponseAsync()).Body;
            Assert.That(Bodies.TextOf(response), Is.EqualTo($"{i}"));
        })).ToArray();

        await Task.WhenAll(asking).WithTimeout();
        await requester.CloseAsync().WithTimeout();
        await serving.WithTimeout();
    }
}
