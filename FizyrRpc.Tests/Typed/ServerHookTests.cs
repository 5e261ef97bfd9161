using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>
/// Unknown services and undecodable bodies reach the server's overridable hooks instead of being hidden, and an
/// override answers them its own way.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class ServerHookTests(LoopbackKind kind)
{
    [Test]
    public async Task AnOverrideSeesAnUnknownServiceAndAnswersIt()
    {
        var server = new HookedServer();
        await using var served = await ServedRaw.StartAsync(kind, server);

        await served.Raw.SendFrameAsync(MessageHeader.Request(5, 4242), "raw"u8);
        var (header, body) = await served.Raw.ReceiveMessageAsync().WaitAsync(Loopback.Timeout);

        Assert.That(header, Is.EqualTo(MessageHeader.Response(5, 4242)));
        Assert.That(body, Is.EqualTo("handled unknown 4242 with 3 bytes"u8.ToArray()));
    }

    [Test]
    public async Task AnOverrideSeesAnInvalidBodyWithItsError()
    {
        var server = new HookedServer();
        await using var served = await ServedRaw.StartAsync(kind, server);

        await served.Raw.SendFrameAsync(MessageHeader.Request(6, TestIds.Add), [0xc1]); // 0xc1 is never valid MessagePack
        var (header, body) = await served.Raw.ReceiveMessageAsync().WaitAsync(Loopback.Timeout);

        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(6)));
        Assert.That(System.Text.Encoding.UTF8.GetString(body), Does.StartWith("custom: AddRequest"));
        Assert.That(server.InvalidBodyType, Is.EqualTo(typeof(AddRequest)));
    }

    [Test]
    public async Task WithoutOverridesTheDefaultsAnswer()
    {
        await using var served = await ServedRaw.StartAsync(kind);

        await served.Raw.SendFrameAsync(MessageHeader.Request(7, 4242));
        var (unknownHeader, unknownBody) = await served.Raw.ReceiveMessageAsync().WaitAsync(Loopback.Timeout);
        await served.Raw.SendFrameAsync(MessageHeader.Request(8, TestIds.Add), [0xc1]);
        var (invalidHeader, invalidBody) = await served.Raw.ReceiveMessageAsync().WaitAsync(Loopback.Timeout);

        Assert.That(unknownHeader, Is.EqualTo(MessageHeader.ErrorResponse(7)));
        Assert.That(unknownBody, Is.EqualTo("unknown service 4242"u8.ToArray()));
        Assert.That(invalidHeader, Is.EqualTo(MessageHeader.ErrorResponse(8)));
        Assert.That(System.Text.Encoding.UTF8.GetString(invalidBody), Does.StartWith($"invalid body for service {TestIds.Add}: "));
    }

    private sealed class HookedServer : TestServer
    {
        public Type? InvalidBodyType { get; private set; }

        protected override ValueTask RespondUnknownServiceAsync(RpcRequestContext<StreamBody> context) =>
            context.Request.SendResponseAsync(
                context.ServiceId,
                StreamBody.FromString($"handled unknown {context.ServiceId} with {context.Request.Body.Length} bytes"));

        protected override ValueTask RespondInvalidBodyAsync(RpcRequestContext<StreamBody> context, RpcFormatException error)
        {
            InvalidBodyType = error.BodyType;
            return context.Request.SendErrorResponseAsync($"custom: {error.BodyType.Name}");
        }
    }
}
