using System.Text;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// A received request disposed without an answer: the remote gets an error response instead of waiting forever, and
/// the request ID is free for the remote to use again.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class DroppedRequestTests(LoopbackKind kind)
{
    [Test]
    public async Task DisposedRequestIsAnsweredAndItsIdFreed()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var local = raw.Peer;
        await raw.SendFrameAsync(MessageHeader.Request(5, 1), "first"u8);
        var first = (await local.ReceiveMessageAsync().WithTimeout()).Request!;
        Assert.That(first.RequestId, Is.EqualTo(5u));

        // While it is open, the same ID again is a duplicate (reported, dropped, connection kept).
        await raw.SendFrameAsync(MessageHeader.Request(5, 2), "duplicate"u8);
        var duplicate = await Await.ThrowsAsync<RpcProtocolException>(() => local.ReceiveMessageAsync().AsTask());
        Assert.That(duplicate.Error, Is.EqualTo(ProtocolError.DuplicateRequestId));
        Assert.That(duplicate.IsFatal, Is.False);

        first.Dispose();

        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(5)));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo(ReceivedRequest<StreamBody>.DroppedErrorText));
        Assert.That(first.IsClosed, Is.True);
        Assert.That(local.OpenReceivedRequests, Is.Zero);

        // Now the ID is free: the same ID is a new request, not a duplicate.
        await raw.SendFrameAsync(MessageHeader.Request(5, 3), "again"u8);
        var again = await local.ReceiveMessageAsync().WithTimeout();
        Assert.That(again.IsRequest, Is.True);
        Assert.That(again.Header, Is.EqualTo(MessageHeader.Request(5, 3)));
        await again.Request!.SendResponseAsync(3, StreamBody.FromString("answered"));
        var (responseHeader, responseBody) = await raw.ReceiveMessageAsync();
        Assert.That(responseHeader, Is.EqualTo(MessageHeader.Response(5, 3)));
        Assert.That(responseBody, Is.EqualTo("answered"u8.ToArray()));
    }

    [Test]
    public async Task DisposedRequestSeenFromASecondPeer()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (local, remote) = (pair.Server, pair.Client);
        var sent = await remote.SendRequestAsync(4, StreamBody.FromString("ignored"));
        var received = (await local.ReceiveMessageAsync().WithTimeout()).Request!;

        await received.DisposeAsync();

        var response = await sent.ReceiveResponseAsync().WithTimeout();
        Assert.That(response.IsErrorResponse, Is.True);
        Assert.That(response.GetErrorMessage(), Is.EqualTo(ReceivedRequest<StreamBody>.DroppedErrorText));
        Assert.That(remote.OpenSentRequests, Is.Zero);
        await Await.ThrowsAsync<ObjectDisposedException>(() => received.SendResponseAsync(4, StreamBody.Empty).AsTask());
        await ConnectionAssert.WorksAsync(local, remote);
    }

    [Test]
    public async Task AnsweredRequestSendsNothingMoreWhenDisposed()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var local = raw.Peer;
        await raw.SendFrameAsync(MessageHeader.Request(8, 1));
        var request = (await local.ReceiveMessageAsync().WithTimeout()).Request!;
        await request.SendResponseAsync(1, StreamBody.FromString("ok"));
        request.Dispose();
        await Await.ThrowsAsync<RequestClosedException>(
            () => request.CreateWriteHandle().SendResponseAsync(1, StreamBody.FromString("twice")).AsTask());

        // Only the response and then the stream below come out: no error response after it.
        await local.SendStreamAsync(2, StreamBody.FromString("marker"));
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Response(8, 1)));
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Stream(2)));
    }
}
