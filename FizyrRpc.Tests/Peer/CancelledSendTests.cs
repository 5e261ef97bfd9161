using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Peer;

/// <summary>
/// Sends cancelled while the outgoing queue is full (the remote does not read): nothing of a cancelled message is
/// written, and the conversation it belonged to is left in a state the user can still finish.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class CancelledSendTests(LoopbackKind kind)
{
    // Larger than anything the kernel can buffer on a loopback connection, so the writer stays stuck in this one
    // write while the raw remote does not read.
    private static readonly int Blocker = KernelBufferBound() + (1 << 20);

    private const int PinnedReceiveBuffer = 128 << 10;

    private static StreamConfig BigWrites => new() { MaxBodyLengthWrite = Blocker };

    // Bounded by count here (one message), not by bytes: the blocker alone is larger than the default byte bound.
    private static PeerOptions OneQueued => new() { OutgoingQueueCapacity = 1, MaxOutgoingQueueBytes = 1L << 40 };

    [Test]
    public async Task ACancelledRequestIsNotWrittenAndHoldsNoId()
    {
        await using var raw = await Loopback.RawAsync(kind, BigWrites, OneQueued);
        await FillTheOutgoingQueueAsync(raw);

        using var cancel = new CancellationTokenSource();
        var send = raw.Peer.SendRequestAsync(1, new byte[] { 1 }, cancel.Token).AsTask();
        Assert.That(send.IsCompleted, Is.False, "the outgoing queue is full: the send waits");
        await cancel.CancelAsync();
        Assert.That(async () => await send.Within(), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(raw.Peer.OpenSentRequests, Is.Zero);

        await DrainTheFillAsync(raw);
        await raw.Peer.SendStreamAsync(77, StreamBody.Empty).Within();
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.Stream(77)), "nothing of the cancelled request was written");
    }

    [Test]
    public async Task ACancelledResponseLeavesTheRequestOpen()
    {
        await using var raw = await Loopback.RawAsync(kind, BigWrites, OneQueued);
        var received = await ReceiveAndCancelTheResponseAsync(raw);

        // Nothing was sent, so the request is not answered: like a refused too-large response, it stays open and
        // can be answered again; otherwise the remote would wait for an answer forever.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(received.IsClosed, Is.False, "a request whose response was cancelled before it was queued is still open");
            Assert.That(raw.Peer.OpenReceivedRequests, Is.EqualTo(1));
        }

        var drained = DrainTheFillAsync(raw);
        await received.SendResponseAsync(5, new byte[] { 2 }).Within();
        await drained;
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(1, 5)));
        Assert.That(body, Is.EqualTo(new byte[] { 2 }));
    }

    [Test]
    public async Task ARequestWhoseResponseWasCancelledIsStillAnsweredWhenDisposed()
    {
        // The remote must never wait forever: if the user gives up after a cancelled response, disposing the request
        // still answers it (with the dropped-request error).
        await using var raw = await Loopback.RawAsync(kind, BigWrites, OneQueued);
        var received = await ReceiveAndCancelTheResponseAsync(raw);
        received.Dispose();

        await DrainTheFillAsync(raw);
        await raw.Peer.SendStreamAsync(77, StreamBody.Empty).Within();
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(1)), "the remote gets an answer for request 1 before the later stream");
        Assert.That(System.Text.Encoding.UTF8.GetString(body), Is.EqualTo(ReceivedRequest<StreamBody>.DroppedErrorText));
    }

    [Test]
    public async Task ARequestDisposedWhileItsResponseWaitsIsAnsweredWhenTheResponseIsCancelled()
    {
        // Disposed while the response waited for room, the request counted as answered, so disposing sent nothing;
        // the cancelled response then reopened it, and nobody was left to answer it (issue 11).
        await using var raw = await Loopback.RawAsync(kind, BigWrites, OneQueued);
        await raw.SendFrameAsync(MessageHeader.Request(1, 5));
        var received = await raw.Peer.ReceiveRequestAsync();
        await FillTheOutgoingQueueAsync(raw);
        using var cancel = new CancellationTokenSource();
        var send = received.SendResponseAsync(5, new byte[] { 1 }, cancel.Token).AsTask();
        Assert.That(send.IsCompleted, Is.False, "the outgoing queue is full: the send waits");

        received.Dispose();
        await cancel.CancelAsync();
        Assert.That(async () => await send.Within(), Throws.InstanceOf<OperationCanceledException>());

        await DrainTheFillAsync(raw);
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(1)), "the remote gets an answer for request 1");
        Assert.That(System.Text.Encoding.UTF8.GetString(body), Is.EqualTo(ReceivedRequest<StreamBody>.DroppedErrorText));
        Assert.That(raw.Peer.OpenReceivedRequests, Is.Zero);
    }

    [Test]
    public async Task ACancelledUpdateIsNotWrittenAndTheRequestGoesOn()
    {
        await using var raw = await Loopback.RawAsync(kind, BigWrites, OneQueued);
        var request = await raw.Peer.SendRequestAsync(1, StreamBody.Empty).Within();
        await raw.ReceiveMessageAsync();
        await FillTheOutgoingQueueAsync(raw);

        using var cancel = new CancellationTokenSource();
        var send = request.SendUpdateAsync(2, new byte[] { 2 }, cancel.Token).AsTask();
        Assert.That(send.IsCompleted, Is.False, "the outgoing queue is full: the send waits");
        await cancel.CancelAsync();
        Assert.That(async () => await send.Within(), Throws.InstanceOf<OperationCanceledException>());

        var drained = DrainTheFillAsync(raw);
        await request.SendUpdateAsync(3, new byte[] { 3 }).Within();
        await drained;
        Assert.That((await raw.ReceiveMessageAsync()).Header, Is.EqualTo(MessageHeader.RequesterUpdate(request.RequestId, 3)));
        Assert.That(request.IsClosed, Is.False);
    }

    // A request arrives, the outgoing queue is filled, and its response waits for room until it is cancelled.
    private static async Task<ReceivedRequest<StreamBody>> ReceiveAndCancelTheResponseAsync(RawPeer raw)
    {
        await raw.SendFrameAsync(MessageHeader.Request(1, 5));
        var received = await raw.Peer.ReceiveRequestAsync();
        await FillTheOutgoingQueueAsync(raw);

        using var cancel = new CancellationTokenSource();
        var send = received.SendResponseAsync(5, new byte[] { 1 }, cancel.Token).AsTask();
        Assert.That(send.IsCompleted, Is.False, "the outgoing queue is full: the send waits");
        await cancel.CancelAsync();
        Assert.That(async () => await send.Within(), Throws.InstanceOf<OperationCanceledException>());
        return received;
    }

    /// <summary>
    /// Leaves the writer stuck in a write the raw remote does not read, and the one-slot outgoing queue full behind it.
    /// </summary>
    private static async Task FillTheOutgoingQueueAsync(RawPeer raw)
    {
        raw.Socket.ReceiveBufferSize = PinnedReceiveBuffer;
        await raw.Peer.SendStreamAsync(1, new byte[Blocker]).Within();
        // Queued only once the writer has taken the blocker; it stays queued while the blocker is being written.
        await raw.Peer.SendStreamAsync(2, new byte[] { 2 }).Within();
    }

    /// <summary>
    /// A bound on what a connection can buffer once the raw end's receive buffer is pinned (which stops the kernel
    /// from growing it): that buffer, and the peer's send buffer at most at the larger of the TCP autotuning maximum
    /// (tcp_wmem) and the core maximum (wmem_max), each doubled for the kernel's bookkeeping. 64 MiB where /proc
    /// cannot tell.
    /// </summary>
    private static int KernelBufferBound()
    {
        static long Last(string path) => long.Parse(File.ReadAllText(path).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[^1]);
        try
        {
            var send = Math.Max(Last("/proc/sys/net/ipv4/tcp_wmem"), Last("/proc/sys/net/core/wmem_max"));
            return (int)Math.Min(2 * (PinnedReceiveBuffer + send), 512 << 20);
        }
        catch (IOException)
        {
            return 64 << 20;
        }
        catch (UnauthorizedAccessException)
        {
            return 64 << 20;
        }
    }

    /// <summary>Reads the blocker and the message queued behind it.</summary>
    private static async Task DrainTheFillAsync(RawPeer raw)
    {
        var (blocker, _) = await raw.ReceiveMessageAsync();
        var (behind, _) = await raw.ReceiveMessageAsync();
        Assert.That((blocker, behind), Is.EqualTo((MessageHeader.Stream(1), MessageHeader.Stream(2))));
    }
}
