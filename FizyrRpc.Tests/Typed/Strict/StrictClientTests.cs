using System.Text;
using FizyrRpc.Tests.Interop;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed.Strict;

/// <summary>
/// Strict decoding on a generated client, against a raw server the test plays byte by byte: a success response with
/// "no body" for a non-nullable declared type, or with a body that does not decode, fails the call with
/// <see cref="RpcFormatException"/>; a nullable declared type returns null. Streams that do not decode are the union's
/// Invalid case, and the next ones are read as usual.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class StrictClientTests(LoopbackKind kind)
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private Task<RawServer<IStrict.Client>> StartAsync(IRpcFormat format) =>
        RawServer<IStrict.Client>.StartAsync(kind, peer => new IStrict.Client(peer, format));

    public static IEnumerable<TestCaseData> InvalidResponses()
    {
        yield return new TestCaseData("msgpack", Array.Empty<byte>()).SetArgDisplayNames("msgpack", "empty");
        yield return new TestCaseData("msgpack", new byte[] { 0xc0 }).SetArgDisplayNames("msgpack", "nil");
        yield return new TestCaseData("msgpack", new byte[] { 0xa1, 0x78 }).SetArgDisplayNames("msgpack", "a string");
        yield return new TestCaseData("json", Array.Empty<byte>()).SetArgDisplayNames("json", "empty");
        yield return new TestCaseData("json", Utf8("null")).SetArgDisplayNames("json", "null");
        yield return new TestCaseData("json", Utf8("{}")).SetArgDisplayNames("json", "{}");
        yield return new TestCaseData("json", Utf8("""{"frames":null}""")).SetArgDisplayNames("json", "null member");
    }

    [TestCaseSource(nameof(InvalidResponses))]
    public async Task AResponseThatIsNotAValidNonNullableResultFailsTheCall(string formatName, byte[] body)
    {
        var format = StrictServerTests.Format(formatName);
        await using var raw = await StartAsync(format);
        var call = raw.Client.ShootAsync(new ShotRequest(1, "a", null));
        var request = await raw.NextFrameAsync().Within();
        await raw.Raw.SendAsync(HandWire.Response(HandWire.RequestIdOf(request), 2, body));

        var error = await TestWaits.ThrowsAsync<RpcFormatException>(() => call);
        Assert.That(error.BodyType, Is.EqualTo(typeof(ShotResult)));
        Assert.That(error.Message, Is.EqualTo(Assert.Throws<RpcFormatException>(() => format.Decode<ShotResult>(body))!.Message));
    }

    [TestCase("msgpack")]
    [TestCase("json")]
    [TestCase("raw")]
    public async Task NoBodyForANullableResultIsNull(string formatName)
    {
        var format = StrictServerTests.Format(formatName);
        await using var raw = await StartAsync(format);
        var call = raw.Client.MaybeShootAsync(null);
        var request = await raw.NextFrameAsync().Within();
        Assert.That(HandWire.BodyOf(request), Is.EqualTo(format.NoBody.ToArray()), "a null request is the format's no body");
        await raw.Raw.SendAsync(HandWire.Response(HandWire.RequestIdOf(request), 5, format.NoBody.ToArray()));
        Assert.That(await call.Within(), Is.Null);
    }

    [TestCase("msgpack")]
    [TestCase("json")]
    public async Task AStreamThatDoesNotDecodeIsInvalidAndReadingGoesOn(string formatName)
    {
        var format = StrictServerTests.Format(formatName);
        await using var raw = await StartAsync(format);
        var bad = formatName == "json" ? Utf8("""{"frames":"x"}""") : [0xa1, 0x78];
        await raw.Raw.SendAsync(HandWire.Stream(20, bad));
        await raw.Raw.SendAsync(HandWire.Stream(20, format.NoBody.ToArray()));
        await raw.Raw.SendAsync(HandWire.Stream(21, format.NoBody.ToArray()));
        await raw.Raw.SendAsync(HandWire.Stream(20, format.Encode(new ShotResult(6)).ToArray()));

        await using var streams = raw.Client.ReadStreamsAsync().GetAsyncEnumerator();
        var invalid = (IStrict.StreamMessage.Invalid)await streams.NextAsync();
        Assert.That((invalid.ServiceId, invalid.Body.ToArray()), Is.EqualTo((20, bad)));
        Assert.That(invalid.Error.BodyType, Is.EqualTo(typeof(ShotResult)));
        var noBody = (IStrict.StreamMessage.Invalid)await streams.NextAsync();
        Assert.That(noBody.Error.Message, Does.StartWith("no body"));
        Assert.That(await streams.NextAsync(), Is.EqualTo(new IStrict.StreamMessage.MaybeNotice(null)));
        Assert.That(await streams.NextAsync(), Is.EqualTo(new IStrict.StreamMessage.Notice(new ShotResult(6))));
    }
}
