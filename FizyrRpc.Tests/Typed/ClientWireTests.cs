using System.Text;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>A typed client facing a raw server the test plays: any service ID but -1 is success, bodies as the format says.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class ClientWireTests(LoopbackKind kind)
{
    private static byte[] Pack<T>(T value) => MessagePackFormat.Default.Encode(value).ToArray();

    [TestCase(0)]
    [TestCase(7)]
    [TestCase(-2)]
    [TestCase(TestIds.Add)]
    public async Task AnyResponseServiceIdButMinusOneIsSuccess(int responseServiceId)
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        var call = raw.Client.AddAsync(new AddRequest(1, 2)).AsTask();

        var (header, body) = await raw.Raw.ReceiveMessageAsync();
        Assert.That(header.MessageType, Is.EqualTo(MessageType.Request));
        Assert.That(header.ServiceId, Is.EqualTo(TestIds.Add));
        Assert.That(body, Is.EqualTo(new byte[] { 0x92, 0x01, 0x02 }));

        await raw.Raw.SendFrameAsync(MessageHeader.Response(header.RequestId, responseServiceId), [0x03]);
        Assert.That(await call.Within(), Is.EqualTo(3));
    }

    [TestCase(0)]
    [TestCase(-2)]
    public async Task AnyResponseServiceIdButMinusOneIsSuccessForACallWithoutResult(int responseServiceId)
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        var call = raw.Client.PingAsync().AsTask();
        var (header, body) = await raw.Raw.ReceiveMessageAsync();
        Assert.That(body, Is.EqualTo(new byte[] { 0xc0 }), "no body is nil");
        await raw.Raw.SendFrameAsync(MessageHeader.Response(header.RequestId, responseServiceId));
        await call.Within();
    }

    [Test]
    public async Task MinusOneIsAnErrorWithTheRemotesText()
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        var call = raw.Client.AddAsync(new AddRequest(1, 2)).AsTask();
        var (header, _) = await raw.Raw.ReceiveMessageAsync();
        await raw.Raw.SendFrameAsync(MessageHeader.ErrorResponse(header.RequestId), "lens cap still on ✗"u8);

        var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => call);
        Assert.That(error.Message, Is.EqualTo("lens cap still on ✗"));
        Assert.That(error.RequestId, Is.EqualTo(header.RequestId));
    }

    [Test]
    public async Task UpdatesToAPlainCallAreSkipped()
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        var call = raw.Client.EchoAsync("x").AsTask();
        var (header, _) = await raw.Raw.ReceiveMessageAsync();
        await raw.Raw.SendFrameAsync(MessageHeader.ResponderUpdate(header.RequestId, 1), [0xc1]);
        await raw.Raw.SendFrameAsync(MessageHeader.ResponderUpdate(header.RequestId, 2), Pack("ignored"));
        await raw.Raw.SendFrameAsync(MessageHeader.Response(header.RequestId, 0), Pack("answer"));
        Assert.That(await call.Within(), Is.EqualTo("answer"));
    }

    [Test]
    public async Task AnUndecodableResponseIsAFormatError()
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        var call = raw.Client.AddAsync(new AddRequest(1, 2)).AsTask();
        var (header, _) = await raw.Raw.ReceiveMessageAsync();
        await raw.Raw.SendFrameAsync(MessageHeader.Response(header.RequestId, TestIds.Add), Pack("not an int"));

        var error = await TestWaits.ThrowsAsync<RpcFormatException>(() => call);
        Assert.That(error.BodyType, Is.EqualTo(typeof(int)));
        Assert.That(raw.Raw.Peer.OpenSentRequests, Is.Zero);
    }

    [Test]
    public async Task AnEmptyResponseBodyForANonNullableResultIsAFormatError()
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        var call = raw.Client.EchoAsync("x").AsTask();
        var (header, _) = await raw.Raw.ReceiveMessageAsync();
        await raw.Raw.SendFrameAsync(MessageHeader.Response(header.RequestId, TestIds.Echo));
        var error = await TestWaits.ThrowsAsync<RpcFormatException>(() => call);
        Assert.That(error.Message, Is.EqualTo("no body (empty) for a non-nullable string"));
    }

    [Test]
    public async Task AJsonClientSpeaksSerdeJson()
    {
        await using var raw = await RawServedClient.StartAsync(kind, new JsonFormat());
        var ping = raw.Client.PingAsync().AsTask();
        var (pingHeader, pingBody) = await raw.Raw.ReceiveMessageAsync();
        Assert.That(pingHeader.ServiceId, Is.EqualTo(TestIds.Ping));
        Assert.That(Encoding.UTF8.GetString(pingBody), Is.EqualTo("null"), "() is the four bytes null");
        await raw.Raw.SendFrameAsync(MessageHeader.Response(pingHeader.RequestId, TestIds.Ping), "null"u8);
        await ping.Within();

        var add = raw.Client.AddAsync(new AddRequest(4, 5)).AsTask();
        var (addHeader, addBody) = await raw.Raw.ReceiveMessageAsync();
        Assert.That(Encoding.UTF8.GetString(addBody), Is.EqualTo("""{"a":4,"b":5}"""));
        await raw.Raw.SendFrameAsync(MessageHeader.Response(addHeader.RequestId, TestIds.Add), "9"u8);
        Assert.That(await add.Within(), Is.EqualTo(9));
    }

    [Test]
    public async Task AnUnencodableRequestThrowsAndSendsNothing()
    {
        await using var raw = await RawServedClient.StartAsync(kind, RawFormat.Default);
        var error = await TestWaits.ThrowsAsync<RpcFormatException>(() => raw.Client.EchoAsync("not bytes").AsTask());
        Assert.That(error.BodyType, Is.EqualTo(typeof(string)));
        Assert.That(raw.Raw.Peer.OpenSentRequests, Is.Zero);

        // The next thing on the wire is the next call, with the raw format's empty "no body".
        var ping = raw.Client.PingAsync().AsTask();
        var (header, body) = await raw.Raw.ReceiveMessageAsync();
        Assert.That(header.ServiceId, Is.EqualTo(TestIds.Ping));
        Assert.That(body, Is.Empty);
        await raw.Raw.SendFrameAsync(MessageHeader.Response(header.RequestId, TestIds.Ping));
        await ping.Within();
    }

    [Test]
    public async Task StreamsFromTheClientCarryTheStreamIdAndTheEncodedBody()
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        await raw.Client.SendLogAsync("line").Within();
        var (header, body) = await raw.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Stream(TestIds.Log)));
        Assert.That(body, Is.EqualTo(Pack("line")));
    }

    [Test]
    public async Task CloseAsyncEndsTheConnection()
    {
        await using var raw = await RawServedClient.StartAsync(kind);
        var closer = raw.Client.CreateCloseHandle();
        await raw.Client.CloseAsync().Within();
        await raw.Client.Completion.Within();
        await closer.Completion.Within();
        Assert.That(await raw.Raw.ReceiveToEndAsync(), Is.Empty);
    }
}
