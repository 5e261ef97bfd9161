using System.Text;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// The read handle is disposed while a write handle lives on: every request that arrives, or that was queued unread,
/// is answered with "unexpected request for service N"; stream messages are dropped; the connection stays usable.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class ReadHandleDisposedTests(LoopbackKind kind)
{
    [TestCase(7)]
    [TestCase(0)]
    [TestCase(-5)]
    [TestCase(int.MaxValue)]
    public async Task LaterRequestIsAnsweredWithTheExactErrorResponse(int serviceId)
    {
        await using var raw = await Loopback.RawAsync(kind);
        var (read, write) = raw.Peer.Split();
        using var _ = write;
        await read.DisposeAsync().WithTimeout();

        await raw.SendFrameAsync(MessageHeader.Request(21, serviceId), "Hello World"u8);

        var expected = RawPeer.Frame(
            MessageHeader.ErrorResponse(21),
            Encoding.UTF8.GetBytes($"unexpected request for service {serviceId}"),
            Endian.Little);
        Assert.That(await raw.ReceiveFrameBytesAsync(), Is.EqualTo(expected));
        Assert.That(raw.Peer.CloseError, Is.Null);
    }

    [Test]
    public async Task SecondPeerSeesTheErrorResponse()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var (read, write) = local.Split();
        using var _ = write;
        read.Dispose();

        var sent = await remote.SendRequestAsync(42, StreamBody.FromString("anyone?"));
        var response = await sent.ReceiveResponseAsync().WithTimeout();

        Assert.That(response.IsErrorResponse, Is.True);
        Assert.That(response.GetErrorMessage(), Is.EqualTo("unexpected request for service 42"));
        var error = Assert.Throws<RemoteErrorException>(() => response.ThrowIfError());
        Assert.That(error!.Message, Does.Contain("unexpected request for service 42"));
        Assert.That(local.OpenReceivedRequests, Is.Zero);
    }

    [Test]
    public async Task StreamMessagesAreDroppedAndTheConnectionStaysUsable()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var (read, write) = raw.Peer.Split();
        using var _ = write;
        read.Dispose();

        // Streams first, then a request: its answer comes back first, so the streams produced nothing.
        await raw.SendFrameAsync(MessageHeader.Stream(3), "dropped"u8);
        await raw.SendFrameAsync(MessageHeader.Stream(4), "dropped too"u8);
        await raw.SendFrameAsync(MessageHeader.Request(1, 8));
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(1)));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("unexpected request for service 8"));

        // Our own requests still go out and get their responses.
        var sent = await write.SendRequestAsync(6, StreamBody.FromString("ping"));
        var (requestHeader, _) = await raw.ReceiveMessageAsync();
        Assert.That(requestHeader, Is.EqualTo(MessageHeader.Request(sent.RequestId, 6)));
        await raw.SendFrameAsync(MessageHeader.Stream(5), "dropped as well"u8);
        await raw.SendFrameAsync(MessageHeader.Response(sent.RequestId, 6), "pong"u8);
        Assert.That((await sent.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("pong"));
        Assert.That(raw.Peer.CloseError, Is.Null);
    }

    [Test]
    public async Task RequestsQueuedUnreadAtDisposalAreAnsweredTheSameWay()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var (read, write) = local.Split();
        using var _ = write;

        // Our request goes out first; the remote sends three requests and only then answers ours. Messages are read
        // in order, so once our response is in, the three requests sit unread in our incoming queue.
        var ours = await write.SendRequestAsync(100, StreamBody.FromString("marker"));
        var theirs = new[]
        {
            await remote.SendRequestAsync(1, StreamBody.FromString("one")),
            await remote.SendRequestAsync(2, StreamBody.FromString("two")),
            await remote.SendRequestAsync(3, StreamBody.FromString("three")),
        };
        var marker = (await remote.ReceiveMessageAsync().WithTimeout()).Request!;
        await marker.SendResponseAsync(100, StreamBody.Empty);
        await ours.ReceiveResponseAsync().WithTimeout();
        Assert.That(local.OpenReceivedRequests, Is.EqualTo(3), "the three requests are queued");

        await read.DisposeAsync().WithTimeout();

        for (var i = 0; i < theirs.Length; i++)
        {
            var response = await theirs[i].ReceiveResponseAsync().WithTimeout();
            Assert.That(response.IsErrorResponse, Is.True);
            Assert.That(response.GetErrorMessage(), Is.EqualTo($"unexpected request for service {i + 1}"));
        }

        Assert.That(local.OpenReceivedRequests, Is.Zero);
        Assert.That(local.CloseError, Is.Null);
        await Await.ThrowsAsync<ObjectDisposedException>(() => read.ReceiveMessageAsync().AsTask());
    }
}
