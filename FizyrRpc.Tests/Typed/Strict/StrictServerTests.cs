using System.Text;
using FizyrRpc.Tests.Interop;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed.Strict;

/// <summary>
/// Strict decoding on a generated server, as a raw client sees it byte by byte, in every format: a body that is empty or
/// "no body" for a non-nullable declared type, misses a required member or has a wrong type is answered
/// <c>invalid body for service N: ...</c> and the handler never runs; a nullable declared type accepts "no body".
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class StrictServerTests(LoopbackKind kind)
{
    public static IRpcFormat Format(string name) => name switch
    {
        "msgpack" => MessagePackFormat.Default,
        "json" => JsonFormat.ForSerde(),
        "raw" => RawFormat.Default,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>What the format itself says about the body, for the cases whose text comes from the serializer.</summary>
    private static string DecodeError(IRpcFormat format, int serviceId, byte[] body) => serviceId switch
    {
        2 => Assert.Throws<RpcFormatException>(() => format.Decode<ShotRequest>(body))!.Message,
        3 => Assert.Throws<RpcFormatException>(() => format.Decode<string>(body))!.Message,
        _ => throw new ArgumentOutOfRangeException(nameof(serviceId)),
    };

    private static TestCaseData Case(string format, string what, int serviceId, byte[] body, string? error, string? mentions = null) =>
        new TestCaseData(format, serviceId, body, error, mentions).SetArgDisplayNames(format, what);

    public static IEnumerable<TestCaseData> InvalidRequests()
    {
        yield return Case("msgpack", "empty", 2, [], "no body (empty) for a non-nullable ShotRequest");
        yield return Case("msgpack", "nil", 2, [0xc0], "no body (nil) for a non-nullable ShotRequest");
        yield return Case("msgpack", "nil string", 3, [0xc0], "no body (nil) for a non-nullable string");
        yield return Case("msgpack", "a string for a record", 2, [0xa1, 0x78], null);
        yield return Case("msgpack", "an int for a string", 3, [0x05], null);
        yield return Case("json", "empty", 2, [], "no body (empty) for a non-nullable ShotRequest");
        yield return Case("json", "null", 2, Utf8("null"), "no body (null) for a non-nullable ShotRequest");
        yield return Case("json", "null with whitespace", 2, Utf8(" null\n"), "no body (null) for a non-nullable ShotRequest");
        yield return Case("json", "null string", 3, Utf8("null"), "no body (null) for a non-nullable string");
        yield return Case("json", "{}", 2, Utf8("{}"), null, "'frames'");
        yield return Case("json", "a missing non-Option member", 2, Utf8("""{"frames":1,"label":"x"}"""), null, "'scene'");
        yield return Case("json", "null for a non-Option string", 2, Utf8("""{"frames":1,"scene":null}"""), null, "scene");
        yield return Case("json", "null for an int", 2, Utf8("""{"frames":null,"scene":"a"}"""), null);
        yield return Case("json", "a string for an int", 2, Utf8("""{"frames":"one","scene":"a"}"""), null);
        yield return Case("json", "an array for a record", 2, Utf8("[1]"), null);
        yield return Case("raw", "empty", 2, [], "no body (empty) for a non-nullable ShotRequest");
        yield return Case("raw", "empty string", 3, [], "no body (empty) for a non-nullable string");
        yield return Case("raw", "bytes for a record", 2, [1, 2], null);
    }

    [TestCaseSource(nameof(InvalidRequests))]
    public async Task AnInvalidBodyIsAnsweredAndTheHandlerNeverRuns(string formatName, int serviceId, byte[] body, string? error, string? mentions)
    {
        var format = Format(formatName);
        var server = new StrictServer(format);
        await using (var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer)))
        {
            await raw.SendAsync(HandWire.Request(7, serviceId, body));
            var expected = $"invalid body for service {serviceId}: " + (error ?? DecodeError(format, serviceId, body));
            Assert.That(Encoding.UTF8.GetString(HandWire.BodyOf(await raw.NextFrameAsync().Within())), Is.EqualTo(expected));
            if (mentions is not null)
                Assert.That(expected, Does.Contain(mentions));
        }

        // The connection has ended and ServeAsync with it, so every handler that ran has recorded itself.
        Assert.That(server.Calls, Is.Empty, "the handler never ran");
        Assert.That(server.HandlerErrors, Is.Empty, "the remote's mistake is not a handler fault");
    }

    [TestCase("msgpack")]
    [TestCase("json")]
    [TestCase("raw")]
    public async Task TheIssuesEmptyBodyFrameIsAnsweredAsAnInvalidBody(string formatName)
    {
        var server = new StrictServer(Format(formatName));
        await using (var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer)))
        {
            // Request 1 for service 2 (a non-nullable record) with an empty body, byte for byte as issue 10 gives it.
            await raw.SendAsync(Convert.FromHexString("0c000000000000000100000002000000"));
            Assert.That(
                await raw.NextFrameAsync().Within(),
                Is.EqualTo(HandWire.ErrorResponse(1, "invalid body for service 2: no body (empty) for a non-nullable ShotRequest")));

            // The connection goes on.
            await raw.SendAsync(HandWire.Request(2, 3, Format(formatName) is RawFormat ? [] : Format(formatName).Encode("next").ToArray()));
            Assert.That(HandWire.RequestIdOf(await raw.NextFrameAsync().Within()), Is.EqualTo(2u));
        }

        Assert.That(server.Calls.Where(call => call.StartsWith("Shoot", StringComparison.Ordinal)), Is.Empty);
    }

    public static IEnumerable<TestCaseData> AcceptedRequests()
    {
        yield return new TestCaseData("msgpack", 5, Array.Empty<byte>(), "MaybeShoot(null)", new byte[] { 0xc0 }).SetArgDisplayNames("msgpack", "empty for T?");
        yield return new TestCaseData("msgpack", 5, new byte[] { 0xc0 }, "MaybeShoot(null)", new byte[] { 0xc0 }).SetArgDisplayNames("msgpack", "nil for T?");
        yield return new TestCaseData("json", 5, Utf8("null"), "MaybeShoot(null)", Utf8("null")).SetArgDisplayNames("json", "null for T?");
        yield return new TestCaseData("json", 5, Array.Empty<byte>(), "MaybeShoot(null)", Utf8("null")).SetArgDisplayNames("json", "empty for T?");
        yield return new TestCaseData(
            "json", 2, Utf8("""{"frames":3,"scene":"a","unknown":[1]}"""), "Shoot(ShotRequest { Frames = 3, Scene = a, Label =  })", Utf8("""{"frames":3}"""))
            .SetArgDisplayNames("json", "a missing Option member and an unknown member");
        yield return new TestCaseData("raw", 5, Array.Empty<byte>(), "MaybeShoot(null)", Array.Empty<byte>()).SetArgDisplayNames("raw", "empty for T?");
        yield return new TestCaseData("raw", 4, Array.Empty<byte>(), "Bytes(0)", Array.Empty<byte>()).SetArgDisplayNames("raw", "zero bytes are a byte[]");
    }

    [TestCaseSource(nameof(AcceptedRequests))]
    public async Task WhatTheDeclaredTypeAcceptsReachesTheHandler(string formatName, int serviceId, byte[] body, string call, byte[] response)
    {
        var server = new StrictServer(Format(formatName));
        await using var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer));
        await raw.SendAsync(HandWire.Request(9, serviceId, body));
        Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(HandWire.Response(9, serviceId, response)));
        Assert.That(server.Calls, Is.EqualTo(new[] { call }));
    }

    [TestCase("msgpack")]
    [TestCase("json")]
    public async Task AnInvalidStreamGoesToItsHandlerAndTheNextStreamsGoOn(string formatName)
    {
        var format = Format(formatName);
        var server = new StrictServer(format);
        await using var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer));
        await raw.SendAsync(HandWire.Stream(20, format.NoBody.ToArray()));
        await raw.SendAsync(HandWire.Stream(21, format.NoBody.ToArray()));
        await raw.SendAsync(HandWire.Stream(20, format.Encode(new ShotResult(4)).ToArray()));

        var reader = server.Streams.Reader;
        var noBody = formatName == "json" ? "null" : "nil";
        Assert.That(await reader.ReadAsync().AsTask().Within(), Is.EqualTo($"Invalid(20): no body ({noBody}) for a non-nullable ShotResult"));
        Assert.That(await reader.ReadAsync().AsTask().Within(), Is.EqualTo("MaybeNotice(null)"));
        Assert.That(await reader.ReadAsync().AsTask().Within(), Is.EqualTo("Notice(ShotResult { Frames = 4 })"));
    }
}
