using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Peer;

/// <summary>The shared loopback helper itself: pairs connect, raw sockets talk to a peer, temp folders go away.</summary>
public class LoopbackTests
{
    [TestCaseSource(typeof(Loopback), nameof(Loopback.Kinds))]
    public async Task PairCarriesAStreamAndCleansUp(LoopbackKind kind)
    {
        string? socketPath = null;
        var pair = await Loopback.PairAsync(kind);
        await using (pair)
        {
            if (pair.AcceptedInfo is UnixConnectionInfo unix)
                socketPath = unix.Path;
            await pair.Client.SendStreamAsync(5, StreamBody.FromString("hi"));
            var received = await pair.Server.ReceiveMessageAsync().AsTask().WaitAsync(Loopback.Timeout);
            Assert.That(received.IsStream, Is.True);
            Assert.That(received.Message.Body.ToUtf8String(), Is.EqualTo("hi"));
        }

        Assert.That(pair.Client.Completion.IsCompleted && pair.Server.Completion.IsCompleted, Is.True);
        if (socketPath is not null)
            Assert.That(Directory.Exists(Path.GetDirectoryName(socketPath)), Is.False, "the temp folder is removed");
    }

    [TestCaseSource(typeof(Loopback), nameof(Loopback.Kinds))]
    public async Task RawSocketTalksToAPeer(LoopbackKind kind)
    {
        await using var raw = await Loopback.RawAsync(kind);
        await raw.SendFrameAsync(MessageHeader.Stream(9), [1, 2, 3]);
        var received = await raw.Peer.ReceiveMessageAsync().AsTask().WaitAsync(Loopback.Timeout);
        Assert.That(received.Header, Is.EqualTo(MessageHeader.Stream(9)));
        await raw.Peer.SendStreamAsync(4, new byte[] { 7 });
        var (header, body) = await raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Stream(4)));
        Assert.That(body, Is.EqualTo(new byte[] { 7 }));
    }
}
