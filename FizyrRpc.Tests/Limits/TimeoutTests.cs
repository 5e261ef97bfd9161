using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Limits;

/// <summary>
/// The timeouts close what they should, with their own close reason. Small timeouts, and each test waits on the close
/// itself: nothing here judges how long anything took.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class TimeoutTests(LoopbackKind kind)
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    [Test]
    public async Task AHeaderThatStopsHalfWayIsClosedAsAFrameTimeout()
    {
        await using var raw = await Loopback.RawAsync(kind, new StreamConfig { FrameTimeout = Short });
        var frame = RawPeer.Frame(MessageHeader.Request(1, 1), [1, 2, 3], raw.Endian);
        await raw.SendAsync(frame.AsMemory(0, 6)); // the length prefix and two bytes of the header
        await AssertClosedAsync(raw, CloseReason.FrameTimeout);
    }

    [Test]
    public async Task ATrickledLargeBodyIsClosedAsAFrameTimeout()
    {
        var config = new StreamConfig { FrameTimeout = Short, MaxBodyLengthRead = 1 << 20 };
        await using var raw = await Loopback.RawAsync(kind, config);
        var frame = RawPeer.Frame(MessageHeader.Stream(1), new byte[1 << 20], raw.Endian);
        await raw.SendAsync(frame.AsMemory(0, StreamFraming.PrefixAndHeaderSize + 100)); // announces 1 MiB, sends 100 bytes
        await AssertClosedAsync(raw, CloseReason.FrameTimeout);
    }

    [Test]
    public async Task WholeFramesAfterAFrameThatArrivedInPiecesAreDelivered()
    {
        // The deadline of a frame ends with it: later frames, and the gap before them, are not timed by it.
        await using var raw = await Loopback.RawAsync(kind, new StreamConfig { FrameTimeout = TimeSpan.FromSeconds(30) });
        var frame = RawPeer.Frame(MessageHeader.Stream(1), [1, 2, 3], raw.Endian);
        await raw.SendAsync(frame.AsMemory(0, 5));
        await raw.SendAsync(frame.AsMemory(5));
        (await raw.Peer.ReceiveMessageAsync().Within()).Message.Body.Dispose();
        await raw.SendFrameAsync(MessageHeader.Stream(2), [4]);
        Assert.That((await raw.Peer.ReceiveMessageAsync().Within()).Header, Is.EqualTo(MessageHeader.Stream(2)));
        Assert.That(raw.Peer.CloseError, Is.Null);
    }

    [Test]
    public async Task AnIdleConnectionIsClosedGracefullyAsAnIdleTimeout()
    {
        await using var pair = await Loopback.PairAsync(kind, serverOptions: new PeerOptions { IdleTimeout = Short });
        await pair.Client.SendStreamAsync(1, new byte[] { 1 });
        (await pair.Server.ReceiveMessageAsync().Within()).Message.Body.Dispose();
        await pair.Server.Completion.Within();
        Assert.That(pair.Server.CloseError?.Reason, Is.EqualTo(CloseReason.IdleTimeout));
        await pair.Client.Completion.Within();
        Assert.That(pair.Client.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedByRemote), "a graceful close: the client sees a clean end");
    }

    [Test]
    public void TheIdleTimeoutIsOffByDefault() =>
        Assert.That(PeerOptions.Default.IdleTimeout, Is.EqualTo(Timeout.InfiniteTimeSpan));

    private static async Task AssertClosedAsync(RawPeer raw, CloseReason reason)
    {
        await raw.Peer.Completion.Within();
        Assert.That(raw.Peer.CloseError?.Reason, Is.EqualTo(reason));
        Assert.That(raw.Peer.CloseError?.InnerException, Is.InstanceOf<TimeoutException>());
        var buffer = new byte[16];
        int count;
        try
        {
            count = await raw.Socket.ReceiveAsync(buffer, SocketFlags.None).Within();
        }
        catch (SocketException)
        {
            count = 0; // aborted: a reset
        }

        Assert.That(count, Is.Zero, "the socket was closed");
    }
}
