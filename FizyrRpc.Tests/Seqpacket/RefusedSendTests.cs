using System.Text;
using FizyrRpc.Transports;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>Why a send is refused before anything is written.</summary>
public enum Refusal
{
    BodyTooLarge,
    TooManyDescriptors,
    ClosedDescriptor,
    InvalidDescriptor,
}

/// <summary>
/// Sends the peer must refuse before anything is written: a body above the write limit, more descriptors than the
/// write limit, a closed or invalid descriptor, and any send the peer cannot make (answered request, closed
/// connection, disposed handle). The raw remote receives nothing (the next datagram is the good message sent after),
/// the connection stays usable, and the refused body's descriptors are closed, since the body belonged to the peer.
/// </summary>
public class RefusedSendTests : SeqpacketFixture
{
    private const uint RemoteRequestId = 5;

    [Test]
    public async Task ARefusedSendWritesNothingAndClosesTheBody([Values] MessageKind kind, [Values] Refusal refusal)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        await using var context = await SendContext.OpenAsync(raw, kind);
        var (body, handles) = BadBody(refusal, pipe);

        if (refusal is Refusal.BodyTooLarge or Refusal.TooManyDescriptors)
        {
            var error = await Waits.ThrowsAsync<MessageTooLargeException>(() => context.SendAsync(body));
            var (size, limit) = refusal == Refusal.BodyTooLarge
                ? (UnixConfig.DefaultMaxBodyLength + 1, UnixConfig.DefaultMaxBodyLength)
                : (UnixConfig.DefaultMaxFileDescriptors + 1, UnixConfig.DefaultMaxFileDescriptors);
            Assert.That((error.BodyLength, error.Limit), Is.EqualTo(((long)size, (long)limit)));
        }
        else
        {
            await Waits.ThrowsAsync<ArgumentException>(() => context.SendAsync(body));
        }

        Assert.That(handles.Select(h => h.IsClosed), Is.All.True, "the refused body was disposed by the peer");
        pipe.AssertAllWriteEndsClosed("the refused body's descriptors are closed");
        Assert.That(raw.Peer.CloseError, Is.Null, "the connection stays open");
        if (context.Received is { } request)
            Assert.That(request.IsClosed, Is.False, "a refused answer leaves the request open");

        // Nothing of the refused message reached the socket: the good message is the next datagram.
        await context.SendAsync(Bodies.WithMemfds("good", "good fd"));
        using var next = await raw.ReceiveAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(next.Header, Is.EqualTo(context.ExpectedHeader));
            Assert.That(Encoding.UTF8.GetString(next.Body), Is.EqualTo("good"));
            Assert.That(next.Descriptors.Select(Descriptors.ReadText), Is.EqualTo(new[] { "good fd" }));
        }

        await RawExchange.AssertStillUsableAsync(raw);
    }

    [Test]
    public async Task ARefusedWithCopiesBodyLeavesTheCallersHandleOpen([Values] MessageKind kind)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        await using var context = await SendContext.OpenAsync(raw, kind);

        await Waits.ThrowsAsync<MessageTooLargeException>(
            () => context.SendAsync(UnixBody.WithCopies(new byte[UnixConfig.DefaultMaxBodyLength + 1], pipe.WriteEnd)));

        Assert.That(pipe.WriteEnd.IsClosed, Is.False, "the caller's handle is the caller's");
        pipe.WriteEnd.Dispose();
        pipe.AssertAllWriteEndsClosed("the refused duplicate was closed");
        await context.SendAsync(Bodies.Text("good"));
        using var next = await raw.ReceiveAsync();
        Assert.That(next.Header, Is.EqualTo(context.ExpectedHeader));
    }

    [Test]
    public async Task ARefusedRequestTakesNoRequestId()
    {
        await using var raw = await RawSeqpacket.ConnectAsync();

        await Waits.ThrowsAsync<MessageTooLargeException>(
            () => raw.Peer.SendRequestAsync(1, Bodies.WithMemfds("many", [.. Enumerable.Range(0, 11).Select(i => $"{i}")])).AsTask());

        Assert.That(raw.Peer.OpenSentRequests, Is.Zero);
        using var sent = await raw.Peer.SendRequestAsync(1, Bodies.Text("good")).WithTimeout();
        using var next = await raw.ReceiveAsync();
        Assert.That(next.Header, Is.EqualTo(MessageHeader.Request(0, 1)), "the first request that was sent has ID 0");
    }

    [Test]
    public async Task RaisedWriteLimitsAreHonouredAndEnforced()
    {
        var config = new UnixConfig { MaxBodyLengthWrite = 100, MaxFileDescriptorsWrite = 2 };
        await using var raw = await RawSeqpacket.ConnectAsync(config);
        using var pipe = Pipe.Create();

        await raw.Peer.SendStreamAsync(1, Bodies.WithMemfds(new string('a', 100), "1", "2")).WithTimeout();
        await Waits.ThrowsAsync<MessageTooLargeException>(() => raw.Peer.SendStreamAsync(2, Bodies.Text(new string('a', 101))).AsTask());
        await Waits.ThrowsAsync<MessageTooLargeException>(
            () => raw.Peer.SendStreamAsync(3, Bodies.Text("three", [.. Enumerable.Range(0, 3).Select(_ => Descriptors.Duplicate(pipe.WriteEnd))])).AsTask());

        pipe.WriteEnd.Dispose();
        pipe.AssertAllWriteEndsClosed();
        using var first = await raw.ReceiveAsync();
        Assert.That(first.Header, Is.EqualTo(MessageHeader.Stream(1)));
        Assert.That(first.Descriptors.Select(Descriptors.ReadText), Is.EqualTo(new[] { "1", "2" }));
        await raw.Peer.SendStreamAsync(4, Bodies.Text("after")).WithTimeout();
        using var next = await raw.ReceiveAsync();
        Assert.That(next.Header, Is.EqualTo(MessageHeader.Stream(4)));
    }

    [Test]
    public async Task AnUpdateOrAnswerAfterTheResponseIsRefusedAndClosed([Values(MessageKind.RequesterUpdate, MessageKind.ResponderUpdate, MessageKind.Response)] MessageKind kind)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        await using var context = await SendContext.OpenAsync(raw, kind);
        await context.CloseRequestAsync();

        await Waits.ThrowsAsync<RequestClosedException>(() => context.SendAsync(Bodies.Text("too late", pipe.WriteEnd)));

        pipe.AssertAllWriteEndsClosed("the refused body's descriptors are closed");
    }

    [Test]
    public async Task ASendOnAClosedConnectionIsRefusedAndClosed([Values(MessageKind.Request, MessageKind.Stream, MessageKind.RequesterUpdate, MessageKind.ResponderUpdate, MessageKind.Response)] MessageKind kind)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        await using var context = await SendContext.OpenAsync(raw, kind);
        await raw.Peer.CloseAsync().WithTimeout();

        await Waits.ThrowsAsync<RpcException>(() => context.SendAsync(Bodies.Text("too late", pipe.WriteEnd)));

        pipe.AssertAllWriteEndsClosed("the refused body's descriptors are closed");
    }

    [TestCase(MessageKind.Request)]
    [TestCase(MessageKind.Stream)]
    public async Task ASendOnADisposedWriteHandleClosesTheBody(MessageKind kind)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        var (read, write) = raw.Peer.Split();
        await using var keepAlive = read;
        var clone = write.Clone();
        await write.DisposeAsync();
        await using var disposeClone = clone;

        await Waits.ThrowsAsync<ObjectDisposedException>(() => kind == MessageKind.Request
            ? write.SendRequestAsync(1, Bodies.Text("disposed", pipe.WriteEnd)).AsTask()
            : write.SendStreamAsync(1, Bodies.Text("disposed", pipe.WriteEnd)).AsTask());

        pipe.AssertAllWriteEndsClosed("the body handed to the send belongs to the peer, which refused it");
    }

    [TestCase(MessageKind.Request)]
    [TestCase(MessageKind.Stream)]
    public async Task ASendOnASplitPeerHandleClosesTheBody(MessageKind kind)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        var (read, write) = raw.Peer.Split();
        await using var keepRead = read;
        await using var keepWrite = write;

        // The handle gave both sides away: it refuses the send, but the body was still handed over.
        await Waits.ThrowsAsync<InvalidOperationException>(() => kind == MessageKind.Request
            ? raw.Peer.SendRequestAsync(1, Bodies.Text("split", pipe.WriteEnd)).AsTask()
            : raw.Peer.SendStreamAsync(1, Bodies.Text("split", pipe.WriteEnd)).AsTask());

        pipe.AssertAllWriteEndsClosed("the body handed to the send belongs to the peer, which refused it");
    }

    [TestCase(MessageKind.RequesterUpdate)]
    [TestCase(MessageKind.ResponderUpdate)]
    [TestCase(MessageKind.Response)]
    public async Task ASendOnADisposedRequestHandleClosesTheBody(MessageKind kind)
    {
        await using var raw = await RawSeqpacket.ConnectAsync();
        using var pipe = Pipe.Create();
        await using var context = await SendContext.OpenAsync(raw, kind);
        context.DisposeRequestHandle();

        await Waits.ThrowsAsync<ObjectDisposedException>(() => context.SendAsync(Bodies.Text("disposed", pipe.WriteEnd)));

        pipe.AssertAllWriteEndsClosed("the body handed to the send belongs to the peer, which refused it");
    }

    /// <summary>A body that must be refused for <paramref name="refusal"/>, and every handle in it.</summary>
    private static (UnixBody Body, SafeFileHandle[] Handles) BadBody(Refusal refusal, Pipe pipe)
    {
        SafeFileHandle Live() => Descriptors.Duplicate(pipe.WriteEnd);
        SafeFileHandle[] handles = refusal switch
        {
            Refusal.TooManyDescriptors => [.. Enumerable.Range(0, UnixConfig.DefaultMaxFileDescriptors + 1).Select(_ => Live())],
            Refusal.ClosedDescriptor => [Live(), Closed(Live()), Live()],
            Refusal.InvalidDescriptor => [Live(), new SafeFileHandle(-1, ownsHandle: true)],
            _ => [Live()],
        };
        pipe.WriteEnd.Dispose();
        var data = refusal == Refusal.BodyTooLarge ? new byte[UnixConfig.DefaultMaxBodyLength + 1] : "refused"u8.ToArray();
        return (new UnixBody(data, handles), handles);
    }

    private static SafeFileHandle Closed(SafeFileHandle handle)
    {
        handle.Dispose();
        return handle;
    }

    /// <summary>The peer's side of a message of one kind: whatever request it needs is open, and a send goes through it.</summary>
    private sealed class SendContext : IAsyncDisposable
    {
        private readonly RawSeqpacket _raw;
        private readonly MessageKind _kind;
        private SentRequest<UnixBody>? _sent;

        private SendContext(RawSeqpacket raw, MessageKind kind)
        {
            _raw = raw;
            _kind = kind;
        }

        /// <summary>The request the raw side sent, for a response or responder update.</summary>
        public ReceivedRequest<UnixBody>? Received { get; private set; }

        /// <summary>The header the good message sent through <see cref="SendAsync"/> is written with.</summary>
        public MessageHeader ExpectedHeader => _kind switch
        {
            MessageKind.Request => MessageHeader.Request(0, 7),
            MessageKind.Response => MessageHeader.Response(RemoteRequestId, 7),
            MessageKind.RequesterUpdate => MessageHeader.RequesterUpdate(_sent!.RequestId, 7),
            MessageKind.ResponderUpdate => MessageHeader.ResponderUpdate(RemoteRequestId, 7),
            _ => MessageHeader.Stream(7),
        };

        public static async Task<SendContext> OpenAsync(RawSeqpacket raw, MessageKind kind)
        {
            var context = new SendContext(raw, kind);
            if (kind == MessageKind.RequesterUpdate)
            {
                context._sent = await raw.Peer.SendRequestAsync(1, Bodies.Text("open")).WithTimeout();
                (await raw.ReceiveAsync()).Dispose();
            }
            else if (kind is MessageKind.ResponderUpdate or MessageKind.Response)
            {
                raw.SendMessage(MessageHeader.Request(RemoteRequestId, 1), "open"u8);
                context.Received = (await raw.Peer.ReceiveMessageAsync().WithTimeout()).Request;
            }

            return context;
        }

        public Task SendAsync(UnixBody body) => _kind switch
        {
            MessageKind.Request => SendRequestAsync(body),
            MessageKind.Response => Received!.SendResponseAsync(7, body).AsTask(),
            MessageKind.RequesterUpdate => _sent!.SendUpdateAsync(7, body).AsTask(),
            MessageKind.ResponderUpdate => Received!.SendUpdateAsync(7, body).AsTask(),
            _ => _raw.Peer.SendStreamAsync(7, body).AsTask(),
        };

        /// <summary>Answers the open request (whichever side holds it), so later sends for it are refused.</summary>
        public async Task CloseRequestAsync()
        {
            if (_sent is not null)
            {
                _raw.SendMessage(MessageHeader.Response(_sent.RequestId, 1), "done"u8);
                (await _sent.ReceiveResponseAsync().WithTimeout()).Body.Dispose();
            }
            else if (Received is not null)
            {
                await Received.SendResponseAsync(1, Bodies.Text("done")).WithTimeout();
                (await _raw.ReceiveAsync()).Dispose();
            }
        }

        public void DisposeRequestHandle()
        {
            _sent?.Dispose();
            Received?.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            DisposeRequestHandle();
            return default;
        }

        private async Task SendRequestAsync(UnixBody body)
        {
            using var sent = await _raw.Peer.SendRequestAsync(7, body);
        }
    }
}
