using System.Text;
using System.Text.Json;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Interop;

/// <summary>
/// The serde preset against the bytes captured from the Rust reference's typed peer (serde_json, TCP, little endian;
/// issue 10), over real sockets, in its reflection form and over a source-generated context: ping request and response
/// with <c>()</c> bodies, a response update, an error response on purpose; and serde's strictness in both forms.
/// </summary>
[TestFixtureSource(nameof(Forms))]
public class SerdePresetTests(string form, LoopbackKind kind)
{
    private static readonly byte[] PingRequest = Convert.FromHexString("100000000000000000000000010000006e756c6c");
    private static readonly byte[] PingResponse = Convert.FromHexString("100000000100000000000000010000006e756c6c");
    private static readonly byte[] FrameUpdate = Convert.FromHexString(
        "350000000300000001000000020000007b227769647468223a322c22686569676874223a322c22706978656c73223a5b312c322c332c345d7d");
    private static readonly byte[] CancelledError = Convert.FromHexString("1b0000000100000002000000ffffffff63616e63656c6c65643a2073746f70");

    public static IEnumerable<TestFixtureData> Forms() =>
        from form in new[] { "reflection", "context" }
        from kind in Loopback.Kinds
        select new TestFixtureData(form, kind);

    private JsonFormat Format() => form == "context" ? JsonFormat.ForSerde(SerdeCameraJsonContext.Default) : JsonFormat.ForSerde();

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private Task<RawClient> StartServerAsync() => RawClient.StartAsync(kind, peer => new SerdeCameraServer(Format()).ServeAsync(peer));

    private Task<RawServer<ISerdeCamera.Client>> StartClientAsync() =>
        RawServer<ISerdeCamera.Client>.StartAsync(kind, peer => new ISerdeCamera.Client(peer, Format()));

    [Test]
    public async Task ClientPingIsTheCapturedRequestAndTakesTheCapturedResponse()
    {
        await using var raw = await StartClientAsync();
        var ping = raw.Client.PingAsync();
        Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(PingRequest));
        await raw.Raw.SendAsync(PingResponse);
        await ping.Within();
    }

    [Test]
    public async Task ServerAnswersTheCapturedPingWithTheCapturedResponse()
    {
        await using var raw = await StartServerAsync();
        await raw.SendAsync(PingRequest);
        Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(PingResponse));
    }

    [Test]
    public async Task ServerWritesTheCapturedResponseUpdateThenTheResponse()
    {
        await using var raw = await StartServerAsync();
        await raw.SendAsync(HandWire.Request(1, 3, Utf8("""{"count":1,"tag":"a"}""")));
        Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(FrameUpdate));
        Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(HandWire.Response(1, 3, Utf8("""{"frames":1,"note":null}"""))));
    }

    [Test]
    public async Task ClientReadsTheCapturedResponseUpdate()
    {
        await using var raw = await StartClientAsync();
        await using var call = await raw.Client.StartCaptureAsync(new CaptureRequest(1, "a")).Within();
        Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(HandWire.Request(0, 3, Utf8("""{"count":1,"tag":"a"}"""))));

        // The captured update is for request 1: the same bytes with this call's request ID.
        var update = FrameUpdate.ToArray();
        BitConverter.TryWriteBytes(update.AsSpan(8, 4), call.RequestId);
        await raw.Raw.SendAsync(update);
        Assert.That(await call.ReceiveUpdateAsync().Within(), Is.EqualTo(new ISerdeCamera.CaptureResponseUpdate.Frame(new SerdeFrame(2, 2, [1, 2, 3, 4]))));
    }

    [Test]
    public async Task ServerSendsTheCapturedErrorResponseOnPurpose()
    {
        await using var raw = await StartServerAsync();
        await raw.SendAsync(HandWire.Request(2, 3, Utf8("""{"count":-1,"tag":"a"}""")));
        Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(CancelledError));
    }

    [Test]
    public async Task ClientTakesTheCapturedErrorResponse()
    {
        await using var raw = await StartClientAsync();
        var capture = raw.Client.CaptureAsync(new CaptureRequest(-1, "a"));
        var request = await raw.NextFrameAsync().Within();

        // The captured error answers request 2: the same bytes with this call's request ID.
        var error = CancelledError.ToArray();
        BitConverter.TryWriteBytes(error.AsSpan(8, 4), HandWire.RequestIdOf(request));
        await raw.Raw.SendAsync(error);
        var remote = await TestWaits.ThrowsAsync<RemoteErrorException>(() => capture);
        Assert.That(remote.Message, Is.EqualTo("cancelled: stop"));
    }

    [TestCase("""{"count":1}""", "'tag'", TestName = "{m}(a missing String)")]
    [TestCase("""{"count":1,"tag":null}""", "tag", TestName = "{m}(null for a String)")]
    [TestCase("""{"tag":"a"}""", "'count'", TestName = "{m}(a missing number)")]
    [TestCase("""{"count":"1","tag":"a"}""", "", TestName = "{m}(a string for a number)")]
    [TestCase("null", "no body (null) for a non-nullable CaptureRequest", TestName = "{m}(null)")]
    public async Task ServerRefusesWhatSerdeRefuses(string body, string mentions)
    {
        await using var raw = await StartServerAsync();
        await raw.SendAsync(HandWire.Request(5, 3, Utf8(body)));
        var text = Encoding.UTF8.GetString(HandWire.BodyOf(await raw.NextFrameAsync().Within()));
        var expected = "invalid body for service 3: " + Assert.Throws<RpcFormatException>(() => Format().Decode<CaptureRequest>(Utf8(body)))!.Message;
        Assert.That(text, Is.EqualTo(expected));
        Assert.That(text, Does.Contain(mentions));
    }

    [Test]
    public void WhatSerdeAcceptsDecodes()
    {
        var format = Format();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(format.Decode<CaptureSummary>(Utf8("""{"frames":2}""")), Is.EqualTo(new CaptureSummary(2, null)), "a missing Option is None");
            Assert.That(format.Decode<CaptureSummary>(Utf8("""{"frames":2,"note":null,"extra":{"a":[1]}}""")), Is.EqualTo(new CaptureSummary(2, null)), "unknown fields are ignored");
            Assert.That(Encoding.UTF8.GetString(format.Encode(new SerdeFrame(1, 1, [255])).Span), Is.EqualTo("""{"width":1,"height":1,"pixels":[255]}"""));
        }
    }
}
