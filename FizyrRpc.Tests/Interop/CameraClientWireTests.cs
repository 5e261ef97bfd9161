using FizyrRpc.Tests.Generator.Camera;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Interop;

/// <summary>
/// The generated camera client facing a raw server the test plays, in MessagePack: every frame it writes, byte for
/// byte against hand-encoded frames, and how it takes the raw answers.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class CameraClientWireTests(LoopbackKind kind)
{
    private Task<RawServer<ICamera.Client>> StartAsync() =>
        RawServer<ICamera.Client>.StartAsync(kind, peer => new ICamera.Client(peer));

    // RecordRequest("scene", 2) as [str, int].
    private static readonly byte[] SceneTwoFrames = Pack.Array(Pack.Str("scene"), Pack.Int(2));

    // RecordResult(2, false, null) as [int, bool, nil].
    private static readonly byte[] TwoFramesDone = Pack.Array(Pack.Int(2), Pack.Bool(false), Pack.NilValue);

    [TestCase(0, TestName = "{m}(typed server: the request's ID)")]
    [TestCase(5, TestName = "{m}(any other)")]
    public async Task PingIsServiceZeroWithANilBody(int responseServiceId)
    {
        await using var raw = await StartAsync();
        var ping = raw.Client.PingAsync();

        var frame = await raw.NextFrameAsync();
        Assert.That(frame, Is.EqualTo(HandWire.Request(0, 0, Pack.Nil)), "the first request: ID 0, service 0, body C0");

        await raw.Raw.SendAsync(HandWire.Response(0, responseServiceId, Pack.Nil));
        await ping.Within();
    }

    [TestCase(1, TestName = "{m}(1, the request's, as typed servers send)")]
    [TestCase(0, TestName = "{m}(0, as raw peers send)")]
    [TestCase(7, TestName = "{m}(7)")]
    [TestCase(-2, TestName = "{m}(-2)")]
    [TestCase(int.MinValue, TestName = "{m}(MinValue)")]
    [TestCase(int.MaxValue, TestName = "{m}(MaxValue)")]
    public async Task RecordWritesTheEncodedRequestAndAnyResponseIdButMinusOneIsSuccess(int responseServiceId)
    {
        await using var raw = await StartAsync();
        var record = raw.Client.RecordAsync(new RecordRequest("scene", 2));

        var frame = await raw.NextFrameAsync();
        Assert.That(frame, Is.EqualTo(HandWire.Request(0, 1, SceneTwoFrames)));

        await raw.Raw.SendAsync(HandWire.Response(0, responseServiceId, TwoFramesDone));
        Assert.That(await record.Within(), Is.EqualTo(new RecordResult(2, false, null)));
    }

    [Test]
    public async Task RequestIdsCountUpAndEachServiceKeepsItsId()
    {
        await using var raw = await StartAsync();
        var ping = raw.Client.PingAsync();
        var setting = raw.Client.GetSettingAsync("exposure").AsTask();
        var record = raw.Client.RecordAsync(new RecordRequest("scene", 2));

        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 0, Pack.Nil)));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(1, 2, Pack.Str("exposure"))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(2, 1, SceneTwoFrames)));

        // Answered out of order, each with its own service ID.
        await raw.Raw.SendAsync(HandWire.Response(2, 1, TwoFramesDone));
        await raw.Raw.SendAsync(HandWire.Response(1, 2, Pack.Str("10ms")));
        await raw.Raw.SendAsync(HandWire.Response(0, 0, Pack.Nil));
        Assert.That(await record.Within(), Is.EqualTo(new RecordResult(2, false, null)));
        Assert.That(await setting.Within(), Is.EqualTo("10ms"));
        await ping.Within();
    }

    [Test]
    public async Task MinusOneIsARemoteErrorWithTheUtf8Text()
    {
        await using var raw = await StartAsync();
        var record = raw.Client.RecordAsync(new RecordRequest("scene", 2));
        var requestId = HandWire.RequestIdOf(await raw.NextFrameAsync());

        await raw.Raw.SendAsync(HandWire.ErrorResponse(requestId, "lens cap still on ✗ — ünïcode"));
        var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => record);
        Assert.That(error.Message, Is.EqualTo("lens cap still on ✗ — ünïcode"));
        Assert.That(error.RequestId, Is.EqualTo(requestId));
    }

    [Test]
    public async Task MinusOneEndsAPingToo()
    {
        await using var raw = await StartAsync();
        var ping = raw.Client.PingAsync();
        await raw.NextFrameAsync();
        await raw.Raw.SendAsync(HandWire.ErrorResponse(0, "not now"));
        var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => ping);
        Assert.That(error.Message, Is.EqualTo("not now"));
    }

    [Test]
    public async Task ACancelUpdateIsTypeTwoWithTheRequestsIdAndServiceIdTen()
    {
        await using var raw = await StartAsync();
        // Take request ID 0 first, so the call's ID is not the default.
        var ping = raw.Client.PingAsync();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 0, Pack.Nil)));

        await using var call = await raw.Client.StartRecordAsync(new RecordRequest("scene", 0)).Within();
        Assert.That(call.RequestId, Is.EqualTo(1u));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(1, 1, Pack.Array(Pack.Str("scene"), Pack.Int(0)))));

        await call.SendCancelAsync(new CancelReason("stop")).Within();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.RequesterUpdate(1, 10, Pack.Array(Pack.Str("stop")))));

        await raw.Raw.SendAsync(HandWire.Response(1, 1, Pack.Array(Pack.Int(0), Pack.Bool(true), Pack.Str("stop"))));
        await raw.Raw.SendAsync(HandWire.Response(0, 0, Pack.Nil));
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new RecordResult(0, true, "stop")));
        await ping.Within();
    }

    [Test]
    public async Task ResponderUpdatesDecodeToTheUnionCasesAndAnUndeclaredIdToUnknown()
    {
        await using var raw = await StartAsync();
        await using var call = await raw.Client.StartRecordAsync(new RecordRequest("scene", 2)).Within();
        var requestId = HandWire.RequestIdOf(await raw.NextFrameAsync());

        byte[] undeclared = [0x01, 0xc1, 0xff, 0x00];
        await raw.Raw.SendAsync(HandWire.ResponderUpdate(requestId, 11, Pack.Array(Pack.Str("exposing"), Pack.Int(40))));
        await raw.Raw.SendAsync(HandWire.ResponderUpdate(requestId, 12, Pack.Array(Pack.Int(1), Pack.Bin(7, 8, 9))));
        await raw.Raw.SendAsync(HandWire.ResponderUpdate(requestId, 99, undeclared));
        await raw.Raw.SendAsync(HandWire.Response(requestId, 1, TwoFramesDone));

        var state = await call.ReceiveUpdateAsync().Within();
        Assert.That(state, Is.EqualTo(new ICamera.RecordResponseUpdate.State(new RecordState("exposing", 40))));

        var image = await call.ReceiveUpdateAsync().Within();
        Assert.That(image, Is.TypeOf<ICamera.RecordResponseUpdate.Image>());
        var value = ((ICamera.RecordResponseUpdate.Image)image!).Value;
        Assert.That(value.Index, Is.EqualTo(1));
        Assert.That(value.Pixels, Is.EqualTo(new byte[] { 7, 8, 9 }));

        var unknown = await call.ReceiveUpdateAsync().Within();
        Assert.That(unknown, Is.TypeOf<ICamera.RecordResponseUpdate.Unknown>());
        var (serviceId, body) = (ICamera.RecordResponseUpdate.Unknown)unknown!;
        Assert.That(serviceId, Is.EqualTo(99));
        Assert.That(body.ToArray(), Is.EqualTo(undeclared));

        Assert.That(await call.ReceiveUpdateAsync().Within(), Is.Null, "the response is next");
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new RecordResult(2, false, null)));
    }

    [Test]
    public async Task StreamsFromTheClientAreTypeFourWithRequestIdZeroAndTheStreamId()
    {
        await using var raw = await StartAsync();
        await raw.Client.RecordStateChangedAsync(new RecordState("done", 100)).Within();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Stream(11, Pack.Array(Pack.Str("done"), Pack.Int(100)))));

        await raw.Client.TriggerAsync(new TriggerEvent(3, 42)).Within();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Stream(12, Pack.Array(Pack.Int(3), Pack.Int(42)))));
    }

    [Test]
    public async Task StreamsFromTheRawServerDecodeToTheUnionAndAnUndeclaredIdToUnknown()
    {
        await using var raw = await StartAsync();
        await raw.Raw.SendAsync(HandWire.Stream(11, Pack.Array(Pack.Str("done"), Pack.Int(100))));
        await raw.Raw.SendAsync(HandWire.Stream(77, 0xde, 0xad));
        await raw.Raw.SendAsync(HandWire.Stream(12, Pack.Array(Pack.Int(3), Pack.Int(42))));

        await using var streams = raw.Client.ReadStreamsAsync().GetAsyncEnumerator();
        Assert.That(await streams.NextAsync(), Is.EqualTo(new ICamera.StreamMessage.RecordStateChanged(new RecordState("done", 100))));
        var unknown = await streams.NextAsync();
        Assert.That(unknown, Is.TypeOf<ICamera.StreamMessage.Unknown>());
        Assert.That(((ICamera.StreamMessage.Unknown)unknown).ServiceId, Is.EqualTo(77));
        Assert.That(((ICamera.StreamMessage.Unknown)unknown).Body.ToArray(), Is.EqualTo(new byte[] { 0xde, 0xad }));
        Assert.That(await streams.NextAsync(), Is.EqualTo(new ICamera.StreamMessage.Trigger(new TriggerEvent(3, 42))));
    }

    [Test]
    public async Task ARequestToTheClientGetsUnexpectedRequestAsPlainText()
    {
        await using var raw = await StartAsync();
        await raw.Raw.SendAsync(HandWire.Request(5, 3, Pack.Nil));
        await using var streams = raw.Client.ReadStreamsAsync().GetAsyncEnumerator();
        var move = streams.MoveNextAsync().AsTask();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ErrorResponse(5, "unexpected request for service 3")));

        await raw.Raw.SendAsync(HandWire.Stream(11, Pack.Array(Pack.Str("x"), Pack.Int(1))));
        Assert.That(await move.Within(), Is.True);
        Assert.That(streams.Current, Is.EqualTo(new ICamera.StreamMessage.RecordStateChanged(new RecordState("x", 1))));
    }
}
