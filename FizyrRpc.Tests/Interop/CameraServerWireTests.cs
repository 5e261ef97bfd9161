using System.Text;
using FizyrRpc.Tests.Generator.Camera;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Interop;

/// <summary>
/// A raw client the test plays against the generated camera server, in MessagePack: what the server writes back,
/// byte for byte against hand-encoded frames, and what its handlers see.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class CameraServerWireTests(LoopbackKind kind)
{
    private InteropCameraServer _server = null!;

    [SetUp]
    public void CreateServer() => _server = new InteropCameraServer();

    private Task<RawClient> StartAsync() => RawClient.StartAsync(kind, peer => _server.ServeAsync(peer));

    [Test]
    public async Task PingAnswersWithServiceZeroAndNil()
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Request(5, 0, Pack.Nil));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(5, 0, Pack.Nil)));
    }

    [Test]
    public async Task AnEmptyPingBodyIsNoBodyToo()
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Request(6, 0));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(6, 0, Pack.Nil)));
    }

    [Test]
    public async Task ASuccessResponseCarriesTheRequestsServiceIdAndTheEncodedResult()
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Request(40, 2, Pack.Str("exposure")));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(40, 2, Pack.Str("10ms"))));
    }

    [Test]
    public async Task RecordWritesItsUpdatesWithTheirIdsAStreamWithRequestIdZeroThenTheResponse()
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Request(7, 1, Pack.Array(Pack.Str("scene"), Pack.Int(2))));

        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(7, 11, Pack.Array(Pack.Str("recording"), Pack.Int(0)))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(7, 12, Pack.Array(Pack.Int(0), Pack.Bin(0xf0)))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(7, 12, Pack.Array(Pack.Int(1), Pack.Bin(0xf1)))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Stream(11, Pack.Array(Pack.Str("done"), Pack.Int(100)))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(7, 1, Pack.Array(Pack.Int(2), Pack.Bool(false), Pack.NilValue))));
    }

    [TestCase(9)]
    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    public async Task AnUnknownServiceGetsPlainTextUnknownService(int serviceId)
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Request(3, serviceId, Pack.Nil));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ErrorResponse(3, $"unknown service {serviceId}")));
    }

    [TestCase(new byte[] { 0xc1 }, TestName = "{m}(never-used byte C1)")]
    [TestCase(new byte[] { 0xa1, 0x78 }, TestName = "{m}(a string, not an array)")]
    [TestCase(new byte[] { 0x92, 0xa1 }, TestName = "{m}(truncated)")]
    public async Task AnUndecodableBodyGetsPlainTextInvalidBody(byte[] body)
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Request(4, 1, body));
        var frame = await raw.NextFrameAsync();
        Assert.That(frame[4..16], Is.EqualTo(HandWire.Response(4, -1)[4..16]), "an error response for request 4 (the header after the length)");
        var text = Encoding.UTF8.GetString(HandWire.BodyOf(frame));
        Assert.That(text, Does.StartWith("invalid body for service 1: "));
        Assert.That(text, Has.Length.GreaterThan("invalid body for service 1: ".Length), "the decoder's reason follows");
    }

    [Test]
    public async Task AHandlersExceptionIsItsMessageAsPlainText()
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Request(8, 2, Pack.Str("missing")));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ErrorResponse(8, "no setting 'missing'")));

        await raw.SendAsync(HandWire.Request(9, 1, Pack.Array(Pack.Str("fail"), Pack.Int(1))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ErrorResponse(9, "lens cap still on ✗")));
    }

    [Test]
    public async Task RequestUpdatesReachTheHandlerAsTypedCases()
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Request(12, 1, Pack.Array(Pack.Str("scene"), Pack.Int(0))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(12, 11, Pack.Array(Pack.Str("recording"), Pack.Int(0)))));

        await raw.SendAsync(HandWire.RequesterUpdate(12, 99, 0x01, 0x02, 0xc1));
        var unknown = await _server.RequestUpdates.Reader.ReadAsync().Within();
        Assert.That(unknown, Is.TypeOf<ICamera.RecordRequestUpdate.Unknown>());
        Assert.That(((ICamera.RecordRequestUpdate.Unknown)unknown).ServiceId, Is.EqualTo(99));
        Assert.That(((ICamera.RecordRequestUpdate.Unknown)unknown).Body.ToArray(), Is.EqualTo(new byte[] { 0x01, 0x02, 0xc1 }));

        await raw.SendAsync(HandWire.RequesterUpdate(12, 10, Pack.Array(Pack.Str("stop"))));
        Assert.That(
            await _server.RequestUpdates.Reader.ReadAsync().Within(),
            Is.EqualTo(new ICamera.RecordRequestUpdate.Cancel(new CancelReason("stop"))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(12, 1, Pack.Array(Pack.Int(0), Pack.Bool(true), Pack.Str("stop")))));
    }

    [Test]
    public async Task RequestIdZeroIsOpenBothWaysAtOnce()
    {
        // The raw side's request 0 and a Record also numbered 0: the IDs are per direction, and a typed server
        // only ever answers, so nothing clashes.
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Request(0, 1, Pack.Array(Pack.Str("scene"), Pack.Int(0))));
        Assert.That(HandWire.RequestIdOf(await raw.NextFrameAsync()), Is.Zero);
        await raw.SendAsync(HandWire.Request(1, 0, Pack.Nil));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(1, 0, Pack.Nil)), "request 1 answered while 0 is open");
        await raw.SendAsync(HandWire.RequesterUpdate(0, 10, Pack.Array(Pack.Str("bye"))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(0, 1, Pack.Array(Pack.Int(0), Pack.Bool(true), Pack.Str("bye")))));
    }

    [Test]
    public async Task AStreamFromTheRawSideReachesTheTypedHandler()
    {
        await using var raw = await StartAsync();
        await raw.SendAsync(HandWire.Stream(12, Pack.Array(Pack.Int(3), Pack.Int(42))));
        Assert.That(await _server.Trigger.Task.Within(), Is.EqualTo(new TriggerEvent(3, 42)));
    }
}
