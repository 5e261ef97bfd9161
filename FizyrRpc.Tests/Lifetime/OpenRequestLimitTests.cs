using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// <see cref="PeerOptions.MaxOpenReceivedRequests"/>: a request beyond the limit is answered at once with an error
/// response and never reaches the user; the connection goes on, and answering frees room.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
public class OpenRequestLimitTests(LoopbackKind kind)
{
    [Test]
    public async Task RequestBeyondTheLimitIsRefusedAtOnce()
    {
        await using var pair = await Loopback.PairAsync(kind, serverOptions: new PeerOptions { MaxOpenReceivedRequests = 2 });
        var (client, server) = (pair.Client, pair.Server);
        var first = await client.SendRequestAsync(1, StreamBody.FromString("one"));
        var second = await client.SendRequestAsync(2, StreamBody.FromString("two"));
        var third = await client.SendRequestAsync(3, StreamBody.FromString("three"));

        // Refused without the server reading anything.
        var refused = await third.ReceiveResponseAsync().WithTimeout();
        Assert.That(refused.IsErrorResponse, Is.True);
        Assert.That(refused.GetErrorMessage(), Is.EqualTo("too many open requests (limit 2)"));
        Assert.That(server.OpenReceivedRequests, Is.EqualTo(2));

        var atServer1 = (await server.ReceiveMessageAsync().WithTimeout()).Request!;
        var atServer2 = (await server.ReceiveMessageAsync().WithTimeout()).Request!;
        Assert.That((atServer1.ServiceId, atServer2.ServiceId), Is.EqualTo((1, 2)));

        // Answering one frees room for the next, and the refused one never shows up.
        await atServer1.SendResponseAsync(1, StreamBody.FromString("r1"));
        Assert.That((await first.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("r1"));
        var fourth = await client.SendRequestAsync(4, StreamBody.FromString("four"));
        var atServer4 = (await server.ReceiveMessageAsync().WithTimeout()).Request!;
        Assert.That(atServer4.ServiceId, Is.EqualTo(4));
        await atServer4.SendResponseAsync(4, StreamBody.FromString("r4"));
        await atServer2.SendResponseAsync(2, StreamBody.FromString("r2"));
        Assert.That((await fourth.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("r4"));
        Assert.That((await second.ReceiveResponseAsync().WithTimeout()).Body.ToUtf8String(), Is.EqualTo("r2"));
        Assert.That(server.OpenReceivedRequests, Is.Zero);
        Assert.That(client.OpenSentRequests, Is.Zero);
        await ConnectionAssert.WorksAsync(client, server);
    }

    [Test]
    public async Task RefusalIsExactOnTheWire()
    {
        await using var raw = await Loopback.RawAsync(kind, options: new PeerOptions { MaxOpenReceivedRequests = 2 });
        await raw.SendFrameAsync(MessageHeader.Request(10, 1));
        await raw.SendFrameAsync(MessageHeader.Request(11, 1));
        await raw.SendFrameAsync(MessageHeader.Request(12, 1));

        var expected = RawPeer.Frame(MessageHeader.ErrorResponse(12), "too many open requests (limit 2)"u8, Endian.Little);
        Assert.That(await raw.ReceiveFrameBytesAsync(), Is.EqualTo(expected));
        Assert.That(raw.Peer.CloseError, Is.Null);
    }
}
