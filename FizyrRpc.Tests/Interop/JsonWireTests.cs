using System.Text;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Interop;

/// <summary>
/// The reference's JSON wire facts, as a Rust typed peer with serde_json writes and expects them, against the generated
/// shutter client and server with <see cref="JsonFormat"/>: success response ID = the request's service ID, updates
/// with their declared IDs, streams with request ID 0 and their stream ID, <c>()</c> as the four bytes <c>null</c>,
/// error responses as plain UTF-8 text, snake_case field names.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class JsonWireTests(LoopbackKind kind)
{
    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    private Task<RawServer<IShutter.Client>> StartClientAsync() =>
        RawServer<IShutter.Client>.StartAsync(kind, peer => new IShutter.Client(peer, new JsonFormat()));

    private Task<RawClient> StartServerAsync(JsonShutterServer server) => RawClient.StartAsync(kind, peer => server.ServeAsync(peer));

    [Test]
    public async Task ClientPingSendsNullAndTakesNullBack()
    {
        await using var raw = await StartClientAsync();
        var ping = raw.Client.PingAsync();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 0, Json("null"))));
        await raw.Raw.SendAsync(HandWire.Response(0, 0, Json("null")));
        await ping.Within();
    }

    [TestCase(1, TestName = "{m}(the request's service ID)")]
    [TestCase(0, TestName = "{m}(0)")]
    public async Task ClientSendsSnakeCaseAndDecodesTheTypedResponse(int responseServiceId)
    {
        await using var raw = await StartClientAsync();
        var expose = raw.Client.ExposeAsync(new ExposureRequest(20, 2));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 1, Json("""{"exposure_ms":20,"frame_count":2}"""))));

        await raw.Raw.SendAsync(HandWire.Response(0, responseServiceId, Json("""{"frames_taken":2,"was_aborted":false,"abort_text":null}""")));
        Assert.That(await expose.Within(), Is.EqualTo(new ExposureResult(2, false, null)));
    }

    [Test]
    public async Task ClientReadsUpdatesByDeclaredIdAndSendsItsAbortAsUpdateTen()
    {
        await using var raw = await StartClientAsync();
        await using var call = await raw.Client.StartExposeAsync(new ExposureRequest(20, 0)).Within();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 1, Json("""{"exposure_ms":20,"frame_count":0}"""))));

        await raw.Raw.SendAsync(HandWire.ResponderUpdate(0, 11, Json("""{"percent_done":50,"phase_name":"exposing"}""")));
        await raw.Raw.SendAsync(HandWire.ResponderUpdate(0, 12, Json("""{"frame_index":3,"pixel_values":[1,2,255]}""")));
        await raw.Raw.SendAsync(HandWire.ResponderUpdate(0, 99, Json("""{"what":true}""")));
        Assert.That(await call.ReceiveUpdateAsync().Within(), Is.EqualTo(new IShutter.ExposeResponseUpdate.Progress(new ExposureProgress(50, "exposing"))));
        Assert.That(await call.ReceiveUpdateAsync().Within(), Is.EqualTo(new IShutter.ExposeResponseUpdate.Frame(new ExposureFrame(3, [1, 2, 255]))));
        var unknown = await call.ReceiveUpdateAsync().Within();
        Assert.That(unknown, Is.TypeOf<IShutter.ExposeResponseUpdate.Unknown>());
        Assert.That(((IShutter.ExposeResponseUpdate.Unknown)unknown!).ServiceId, Is.EqualTo(99));
        Assert.That(((IShutter.ExposeResponseUpdate.Unknown)unknown!).Body.ToArray(), Is.EqualTo(Json("""{"what":true}""")));

        await call.SendAbortAsync(new AbortReason("cell stopped")).Within();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.RequesterUpdate(0, 10, Json("""{"reason_text":"cell stopped"}"""))));

        await raw.Raw.SendAsync(HandWire.Response(0, 1, Json("""{"frames_taken":0,"was_aborted":true,"abort_text":"cell stopped"}""")));
        Assert.That(await call.ReceiveResponseAsync().Within(), Is.EqualTo(new ExposureResult(0, true, "cell stopped")));
    }

    [Test]
    public async Task ClientTakesAPlainTextErrorResponse()
    {
        await using var raw = await StartClientAsync();
        var lookup = raw.Client.LookupAsync("lens");
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 2, Json("\"lens\""))));
        await raw.Raw.SendAsync(HandWire.ErrorResponse(0, "no key \"lens\""));
        var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => lookup);
        Assert.That(error.Message, Is.EqualTo("no key \"lens\""));
    }

    [Test]
    public async Task ClientStreamIsRequestIdZeroWithTheStreamIdAndReadsStreamsBack()
    {
        await using var raw = await StartClientAsync();
        await raw.Client.ShutterMovedAsync(new ShutterPosition(true, 90)).Within();
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Stream(11, Json("""{"is_open":true,"angle_deg":90}"""))));

        await raw.Raw.SendAsync(HandWire.Stream(11, Json("""{"is_open":false,"angle_deg":0}""")));
        await using var streams = raw.Client.ReadStreamsAsync().GetAsyncEnumerator();
        Assert.That(await streams.NextAsync(), Is.EqualTo(new IShutter.StreamMessage.ShutterMoved(new ShutterPosition(false, 0))));
    }

    [Test]
    public async Task ServerAnswersNullWithTheRequestsServiceId()
    {
        var server = new JsonShutterServer();
        await using var raw = await StartServerAsync(server);
        await raw.SendAsync(HandWire.Request(3, 0, Json("null")));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(3, 0, Json("null"))));

        await raw.SendAsync(HandWire.Request(4, 2, Json("\"model\"")));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(4, 2, Json("\"X1\""))));
    }

    [Test]
    public async Task ServerWritesUpdatesAStreamAndTheResponseAsSerdeWould()
    {
        var server = new JsonShutterServer();
        await using var raw = await StartServerAsync(server);
        await raw.SendAsync(HandWire.Request(21, 1, Json("""{"exposure_ms":20,"frame_count":2}""")));

        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(21, 11, Json("""{"percent_done":0,"phase_name":"exposing"}"""))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(21, 12, Json("""{"frame_index":0,"pixel_values":[0,1]}"""))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(21, 12, Json("""{"frame_index":1,"pixel_values":[1,2]}"""))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Stream(11, Json("""{"is_open":true,"angle_deg":90}"""))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(21, 1, Json("""{"frames_taken":2,"was_aborted":false,"abort_text":null}"""))));
    }

    [Test]
    public async Task ServerReadsARequestUpdateAsTheTypedCase()
    {
        var server = new JsonShutterServer();
        await using var raw = await StartServerAsync(server);
        await raw.SendAsync(HandWire.Request(0, 1, Json("""{"exposure_ms":5,"frame_count":0}""")));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(0, 11, Json("""{"percent_done":0,"phase_name":"waiting"}"""))));

        await raw.SendAsync(HandWire.RequesterUpdate(0, 10, Json("""{"reason_text":"cell stopped"}""")));
        Assert.That(
            await server.RequestUpdates.Reader.ReadAsync().Within(),
            Is.EqualTo(new IShutter.ExposeRequestUpdate.Abort(new AbortReason("cell stopped"))));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Response(0, 1, Json("""{"frames_taken":0,"was_aborted":true,"abort_text":"cell stopped"}"""))));
    }

    [Test]
    public async Task ServerErrorsArePlainUtf8TextNotJson()
    {
        var server = new JsonShutterServer();
        await using var raw = await StartServerAsync(server);

        await raw.SendAsync(HandWire.Request(1, 7, Json("null")));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ErrorResponse(1, "unknown service 7")));

        // Quotes and non-ASCII stay as they are: a JSON string would escape or quote them.
        await raw.SendAsync(HandWire.Request(2, 1, Json("""{"exposure_ms":-1,"frame_count":1}""")));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ErrorResponse(2, "shutter \"jammed\" ✗")));

        await raw.SendAsync(HandWire.Request(3, 2, Json("\"lens\"")));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ErrorResponse(3, "no key \"lens\"")));

        await raw.SendAsync(HandWire.Request(4, 1, Json("""{"exposure_ms":"twenty"}""")));
        var frame = await raw.NextFrameAsync();
        Assert.That(frame[4..16], Is.EqualTo(HandWire.Response(4, -1)[4..16]), "an error response for request 4 (the header after the length)");
        Assert.That(Encoding.UTF8.GetString(HandWire.BodyOf(frame)), Does.StartWith("invalid body for service 1: "));
    }
}
