using FizyrRpc.Tests.Generator.Camera;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Typed;

/// <summary>
/// The generated response-update senders take a <see cref="CancellationToken"/>, over real sockets: an update sent with
/// a token of its own arrives as any other, and a send waiting for room in the outgoing queue (the remote reads
/// nothing) stops with <see cref="OperationCanceledException"/> when that token is cancelled.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class UpdateSenderTokenTests(LoopbackKind kind)
{
    [Test]
    public async Task AnUpdateSentWithItsOwnTokenArrives()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await using var client = new ICamera.Client(pair.Client);
        var (read, write) = pair.Server.Split();
        await using (read)
        await using (write)
        {
            var start = client.StartRecordAsync(new RecordRequest("scene", 1)).AsTask();
            using var cancel = new CancellationTokenSource();
            await using (var incoming = await ICamera.ReceiveAsync(read, write).Within())
            {
                var record = (ICamera.Incoming<StreamBody>.RecordRequest)incoming;
                await record.SendStateAsync(new RecordState("case", 1), cancel.Token).Within();
                await record.Context.SendStateAsync(new RecordState("context", 2), cancel.Token).Within();
                await record.RespondAsync(new RecordResult(1, false, null)).Within();
            }

            await using var call = await start.Within();
            await using var updates = call.ReadUpdatesAsync().GetAsyncEnumerator();
            Assert.That(await updates.NextAsync(), Is.EqualTo(new ICamera.RecordResponseUpdate.State(new RecordState("case", 1))));
            Assert.That(await updates.NextAsync(), Is.EqualTo(new ICamera.RecordResponseUpdate.State(new RecordState("context", 2))));
            Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new RecordResult(1, false, null)));
        }
    }

    [Test]
    public async Task ASendWaitingForRoomStopsWhenItsTokenIsCancelled()
    {
        // One slot of outgoing queue, and a raw remote that never reads: once the socket's buffers are full, every send
        // waits for room for good, and only its token ends the wait.
        var config = new StreamConfig { MaxBodyLengthWrite = 1 << 20 };
        await using var raw = await Loopback.RawAsync(kind, config, new PeerOptions { OutgoingQueueCapacity = 1 });
        var (read, write) = raw.Peer.Split();
        await using (read)
        await using (write)
        {
            await raw.SendFrameAsync(MessageHeader.Request(1, 1), ICamera.DefaultFormat.Encode(new RecordRequest("scene", 0)).Span);
            await using var incoming = await ICamera.ReceiveAsync(read, write).Within();
            var record = (ICamera.Incoming<StreamBody>.RecordRequest)incoming;
            var pixels = new byte[256 * 1024];
            var cancelled = false;
            for (var i = 0; i < 10_000 && !cancelled; i++)
            {
                using var cancel = new CancellationTokenSource();
                var send = record.SendImageAsync(new Image(i, pixels), cancel.Token).AsTask();
                if (send.IsCompleted)
                {
                    await send;
                    continue;
                }

                // Waiting for room. The writer may still free a slot before the cancel lands (the socket was not full
                // yet): then the send went out, and the next one tries again.
                cancel.Cancel();
                try
                {
                    await send.Within();
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                }
            }

            Assert.That(cancelled, Is.True, "a send waiting for room was cancelled by its token");
        }
    }
}
