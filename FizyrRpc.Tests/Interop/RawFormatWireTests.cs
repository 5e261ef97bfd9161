using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Interop;

/// <summary>
/// A generated interface over <see cref="RawFormat"/>: byte[] and ReadOnlyMemory&lt;byte&gt; bodies pass through byte for
/// byte both ways, whatever they hold (bytes that would be MessagePack nil, invalid UTF-8, JSON <c>null</c>).
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class RawFormatWireTests(LoopbackKind kind)
{
    private static readonly byte[] Awkward = [0xc0, 0x00, 0xff, 0xc1, (byte)'n', (byte)'u', (byte)'l', (byte)'l', 0x80];

    private Task<RawServer<IBlobStore.Client>> StartClientAsync() =>
        RawServer<IBlobStore.Client>.StartAsync(kind, peer => new IBlobStore.Client(peer, RawFormat.Default));

    [Test]
    public async Task ClientBodiesPassThroughBothWays()
    {
        await using var raw = await StartClientAsync();
        var put = raw.Client.PutAsync(Awkward);
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 1, Awkward)));
        await raw.Raw.SendAsync(HandWire.Response(0, 0, 0xc0, 0xde));
        Assert.That(await put.Within(), Is.EqualTo(new byte[] { 0xc0, 0xde }));

        var get = raw.Client.GetAsync(new byte[] { 0xc0 });
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(1, 2, 0xc0)));
        await raw.Raw.SendAsync(HandWire.Response(1, 2, Awkward));
        Assert.That((await get.Within()).ToArray(), Is.EqualTo(Awkward));
    }

    [Test]
    public async Task NoBodyIsEmptyAndAnEmptyBlobIsEmpty()
    {
        await using var raw = await StartClientAsync();
        var touch = raw.Client.TouchAsync();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 3)));
        await raw.Raw.SendAsync(HandWire.Response(0, 3));
        await touch.Within();

        var put = raw.Client.PutAsync([]);
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(1, 1)));
        await raw.Raw.SendAsync(HandWire.Response(1, 1));
        Assert.That(await put.Within(), Is.Empty);
    }

    [Test]
    public async Task ClientUpdatesAndStreamsPassThrough()
    {
        await using var raw = await StartClientAsync();
        await using var call = await raw.Client.StartPutAsync([]).Within();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 1)));

        await call.SendChunkAsync(Awkward).Within();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.RequesterUpdate(0, 10, Awkward)));

        await raw.Raw.SendAsync(HandWire.ResponderUpdate(0, 11, Awkward));
        await raw.Raw.SendAsync(HandWire.ResponderUpdate(0, 12, 0x01));
        var progress = await call.ReceiveUpdateAsync().Within();
        Assert.That(progress, Is.TypeOf<IBlobStore.PutResponseUpdate.Progress>());
        Assert.That(((IBlobStore.PutResponseUpdate.Progress)progress!).Value.ToArray(), Is.EqualTo(Awkward));
        var unknown = await call.ReceiveUpdateAsync().Within();
        Assert.That(unknown, Is.TypeOf<IBlobStore.PutResponseUpdate.Unknown>());
        Assert.That(((IBlobStore.PutResponseUpdate.Unknown)unknown!).ServiceId, Is.EqualTo(12));
        Assert.That(((IBlobStore.PutResponseUpdate.Unknown)unknown!).Body.ToArray(), Is.EqualTo(new byte[] { 0x01 }));

        await raw.Raw.SendAsync(HandWire.Response(0, 1, Awkward));
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(Awkward));

        await raw.Client.BlobChangedAsync(Awkward).Within();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Stream(5, Awkward)));
    }

    [Test]
    public async Task ServerBodiesPassThroughBothWays()
    {
        var server = new RawBlobServer();
        await using var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer));

        await raw.SendAsync(HandWire.Request(8, 1, Awkward));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(8, 11, Awkward)));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Stream(5, Awkward[..1])));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(8, 1, [.. Awkward.Reverse()])));

        await raw.SendAsync(HandWire.Request(9, 2, 0xff));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(9, 2, 0xc0, 0xff, 0x00)));

        await raw.SendAsync(HandWire.Request(10, 3));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(10, 3)), "no body is empty");
    }

    [Test]
    public async Task ServerReadsARequestUpdateAndAStreamUntouched()
    {
        var server = new RawBlobServer();
        await using var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer));

        await raw.SendAsync(HandWire.Request(0, 1));
        await raw.SendAsync(HandWire.RequesterUpdate(0, 10, Awkward));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(0, 1, Awkward)));

        await raw.SendAsync(HandWire.Stream(5, Awkward));
        Assert.That(await server.Changed.Task.Within(), Is.EqualTo(Awkward));
    }
}
