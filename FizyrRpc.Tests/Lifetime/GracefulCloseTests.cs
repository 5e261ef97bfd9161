using System.Buffers.Binary;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>A graceful close still writes what was queued before it: a response sent just before closing arrives.</summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class GracefulCloseTests(LoopbackKind kind)
{
    /// <summary>How the server ends the connection right after queuing its answer.</summary>
    public enum Ending
    {
        CloseAsync,
        Dispose,
        CloseHandle,
    }

    [Test]
    public async Task ResponseSentJustBeforeTheCloseIsReceived([Values] Ending ending)
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (client, server) = (pair.Client, pair.Server);
        var closeHandle = server.CreateCloseHandle();
        var sent = await client.SendRequestAsync(3, StreamBody.FromString("question"));
        var request = (await server.ReceiveMessageAsync().WithTimeout()).Request!;

        await request.SendResponseAsync(3, StreamBody.FromString("answer"));
        await (ending switch
        {
            Ending.CloseAsync => server.CloseAsync(),
            Ending.Dispose => server.DisposeAsync().AsTask(),
            _ => closeHandle.CloseAsync(),
        }).WithTimeout();

        // The client's connection has ended too, and the response is still there to read.
        await ConnectionAssert.EndedAsync(client, CloseReason.ClosedByRemote);
        var response = await sent.ReceiveResponseAsync().WithTimeout();
        Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(sent.RequestId, 3)));
        Assert.That(response.Body.ToUtf8String(), Is.EqualTo("answer"));
        Assert.That(server.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedLocally));
    }

    [Test]
    public async Task RawClientReadsTheResponseThenTheEndOfStream()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var server = raw.Peer;
        await raw.SendFrameAsync(MessageHeader.Request(21, 0), "Hello World"u8);
        var request = (await server.ReceiveMessageAsync().WithTimeout()).Request!;

        await request.SendResponseAsync(0, request.Body);
        await server.DisposeAsync().WithTimeout();

        var rest = await raw.ReceiveToEndAsync();
        Assert.That(rest, Is.EqualTo(WireVectors.GetValid("echo response").Framed), "exactly the response, then the end of stream");
    }

    [Test]
    public async Task EverythingQueuedBeforeTheCloseArrivesInOrder()
    {
        const int count = 600; // more than the remote's incoming queue and more than one write batch
        await using var pair = await Loopback.PairAsync(kind);
        var (client, server) = (pair.Client, pair.Server);
        var sent = await client.SendRequestAsync(1, StreamBody.FromString("go"));
        var request = (await server.ReceiveMessageAsync().WithTimeout()).Request!;
        var body = new byte[1000];

        var reading = ReadStreamsAsync(client, count);
        for (var i = 0; i < count; i++)
        {
            var numbered = (byte[])body.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(numbered, i);
            await server.SendStreamAsync(7, numbered).WithTimeout();
        }

        await request.SendResponseAsync(1, StreamBody.FromString("done"));
        await server.DisposeAsync().WithTimeout();

        Assert.That(await reading.WithTimeout(), Is.EqualTo(Enumerable.Range(0, count)));
        Assert.That((await sent.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("done"));
        await ConnectionAssert.EndedAsync(client, CloseReason.ClosedByRemote);
    }

    [Test]
    public async Task GracefulCloseGivesUpAfterTheShutdownTimeoutWhenTheRemoteReadsNothing([Values] bool dispose)
    {
        var options = new PeerOptions { OutgoingQueueCapacity = 2, ShutdownTimeout = TimeSpan.FromMilliseconds(100) };
        var (raw, buffers) = await SmallBufferPeer.ConnectAsync(kind, options);
        await using var _ = raw;
        var local = raw.Peer;
        var sends = Flood.FillOutgoing(local, buffers, options);

        // What is queued can never be written; the close must still end, once the shutdown timeout has passed.
        await (dispose ? local.DisposeAsync().AsTask() : local.CloseAsync()).WithTimeout();

        await ConnectionAssert.EndedAsync(local, CloseReason.ClosedLocally);
        await Await.ClosedAsync(sends[^1], CloseReason.ClosedLocally);
        Assert.That(sends[0].IsCompletedSuccessfully, Is.True);
    }

    private static async Task<List<int>> ReadStreamsAsync(PeerHandle<StreamBody> peer, int count)
    {
        var numbers = new List<int>();
        while (numbers.Count < count)
        {
            var message = await peer.ReceiveMessageAsync();
            numbers.Add(BinaryPrimitives.ReadInt32LittleEndian(message.Message.Body.Span));
        }

        return numbers;
    }
}
