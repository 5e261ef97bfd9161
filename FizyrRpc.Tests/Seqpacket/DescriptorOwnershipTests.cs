using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// Who closes a descriptor, for every kind of message and both directions: a body handed over with
/// <c>new UnixBody(data, handles)</c> is closed by the sending peer once written; <see cref="UnixBody.WithCopies"/> sends
/// duplicates and leaves the caller's handles open and usable; what arrives belongs to the receiver, is close-on-exec,
/// and disposing the received body closes the last copy.
/// </summary>
public class DescriptorOwnershipTests : SeqpacketFixture
{
    [Test]
    public async Task AHandedOverHandleIsClosedOnceTheRequestIsWritten()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var handle = Descriptors.Memfd("request payload");

        using var sent = await pair.Client.SendRequestAsync(1, new UnixBody("take it"u8.ToArray(), handle)).WithTimeout();
        using var request = (await pair.Server.ReceiveMessageAsync().WithTimeout()).Request!;
        using var received = request.Body;
        await request.SendResponseAsync(1, Bodies.Text("thanks")).WithTimeout();
        (await sent.ReceiveResponseAsync().WithTimeout()).Body.Dispose();

        // The client's writer disposes a batch after writing it, and the response can overtake that. Once the client has
        // answered a request of the server's, its writer has written a later batch, so it is done with the first.
        await SeqpacketPair.RoundTripAsync(asker: pair.Server, answerer: pair.Client);
        Assert.That(handle.IsClosed, Is.True, "the peer closes a handed-over handle after writing it");
        Assert.That(Descriptors.ReadText(received.FileDescriptors[0]), Is.EqualTo("request payload"), "the received copy outlives the sender's");
    }

    [Test]
    public async Task HandingOverClosesTheSendersHandleOnceWritten([Values] MessageKind kind, [Values] Direction direction)
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (sender, receiver) = pair.Sides(direction);
        var handle = Descriptors.Memfd("payload");

        using var received = await Conversation.SendAndReceiveAsync(sender, receiver, kind, new UnixBody("take it"u8.ToArray(), handle));
        await SeqpacketPair.RoundTripAsync(asker: receiver, answerer: sender);

        Assert.That(handle.IsClosed, Is.True, "the peer closes a handed-over handle after writing it");
        Assert.That(Descriptors.ReadText(received.FileDescriptors.Single()), Is.EqualTo("payload"));
    }

    [Test]
    public async Task DisposingTheReceivedBodyClosesTheLastCopy([Values] MessageKind kind, [Values] Direction direction)
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (sender, receiver) = pair.Sides(direction);
        using var pipe = Pipe.Create();

        var received = await Conversation.SendAndReceiveAsync(sender, receiver, kind, Bodies.Text("write end", pipe.WriteEnd));
        await SeqpacketPair.RoundTripAsync(asker: receiver, answerer: sender);
        Assert.That(pipe.AllWriteEndsClosed(), Is.False, "the receiver's copy is open until it disposes the body");

        received.Dispose();

        pipe.AssertAllWriteEndsClosed("the sender closed its handle and the receiver its copy");
    }

    [Test]
    public async Task WithCopiesLeavesTheCallersHandleOpenAndUsable([Values] MessageKind kind, [Values] Direction direction)
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (sender, receiver) = pair.Sides(direction);
        using var handle = Descriptors.Memfd("original");

        using var received = await Conversation.SendAndReceiveAsync(sender, receiver, kind, UnixBody.WithCopies("a copy"u8.ToArray(), handle));
        await SeqpacketPair.RoundTripAsync(asker: receiver, answerer: sender);

        Assert.That(handle.IsClosed, Is.False);
        var copy = received.FileDescriptors.Single();
        Assert.That(Descriptors.ReadText(copy), Is.EqualTo("original"));

        // Both ends refer to the same open file: what one writes, the other reads.
        Descriptors.WriteText(handle, "written by the sender afterwards");
        Assert.That(Descriptors.ReadText(copy), Is.EqualTo("written by the sender afterwards"));
        Descriptors.WriteText(copy, "written by the receiver");
        Assert.That(Descriptors.ReadText(handle), Is.EqualTo("written by the receiver"));
    }

    [Test]
    public async Task WithCopiesClosesItsDuplicateOnceWritten([Values] MessageKind kind, [Values] Direction direction)
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (sender, receiver) = pair.Sides(direction);
        using var pipe = Pipe.Create();

        var received = await Conversation.SendAndReceiveAsync(sender, receiver, kind, UnixBody.WithCopies("a copy"u8.ToArray(), pipe.WriteEnd));
        await SeqpacketPair.RoundTripAsync(asker: receiver, answerer: sender);
        received.Dispose();
        Assert.That(pipe.AllWriteEndsClosed(), Is.False, "the caller's own write end is still open");

        pipe.WriteEnd.Dispose();

        pipe.AssertAllWriteEndsClosed("the duplicate the peer sent was closed after the write");
    }

    [Test]
    public async Task ReceivedDescriptorsAreCloseOnExec([Values] MessageKind kind, [Values] Direction direction)
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (sender, receiver) = pair.Sides(direction);
        using var pipe = Pipe.Create();
        var inheritable = Descriptors.Memfd("inheritable", closeOnExec: false);
        Assert.That(Descriptors.IsCloseOnExec(inheritable), Is.False, "the sender's memfd is inheritable");

        using var received = await Conversation.SendAndReceiveAsync(
            sender, receiver, kind, new UnixBody("flags"u8.ToArray(), inheritable, Descriptors.Duplicate(pipe.ReadEnd), Descriptors.Duplicate(pipe.WriteEnd)));

        Assert.That(received.FileDescriptors, Has.Count.EqualTo(3));
        Assert.That(received.FileDescriptors.Select(Descriptors.IsCloseOnExec), Is.All.True, "received with MSG_CMSG_CLOEXEC");
    }
}
