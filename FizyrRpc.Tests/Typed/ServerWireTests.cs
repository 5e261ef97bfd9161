using System.Text;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>A typed server as a raw remote sees it, byte by byte: response service IDs, error texts, one answer per request.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class ServerWireTests(LoopbackKind kind)
{
    private static byte[] Pack<T>(T value) => MessagePackFormat.Default.Encode(value).ToArray();

    [Test]
    public async Task TheResponseCarriesTheRequestsServiceIdAndRequestId()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(17, TestIds.Add), Pack(new AddRequest(2, 3)));
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(17, TestIds.Add)));
        Assert.That(body, Is.EqualTo(new byte[] { 0x05 }));

        await served.Raw.SendFrameAsync(MessageHeader.Request(18, TestIds.Echo), Pack("x"));
        (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(18, TestIds.Echo)));
        Assert.That(body, Is.EqualTo(Pack("x")));
    }

    [Test]
    public async Task ANoBodyAnswerIsMessagePackNil()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(0, TestIds.Ping), [0xc0]);
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(0, TestIds.Ping)));
        Assert.That(body, Is.EqualTo(new byte[] { 0xc0 }));
    }

    [Test]
    public async Task AJsonServerAnswersNoBodyWithNullAndValuesAsSerdeWould()
    {
        await using var served = await ServedRaw.StartAsync(kind, new TestServer(new JsonFormat()));
        // A serde_json client sends () as `null`, and an empty body is "no body" too.
        await served.Raw.SendFrameAsync(MessageHeader.Request(1, TestIds.Ping), "null"u8);
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(1, TestIds.Ping)));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("null"));

        await served.Raw.SendFrameAsync(MessageHeader.Request(2, TestIds.Add), """{"a":20,"b":22}"""u8);
        (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(2, TestIds.Add)));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("42"));
    }

    [Test]
    public async Task AnEmptyRequestBodyForANonNullableStringIsAnInvalidBody()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(4, TestIds.Echo));
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(4)));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("invalid body for service 2: no body (empty) for a non-nullable string"));
    }

    [TestCase(42)]
    [TestCase(-7)]
    [TestCase(int.MaxValue)]
    public async Task AnUnknownServiceGetsAnErrorResponse(int serviceId)
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(9, serviceId), [0xc0]);
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(9)));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo($"unknown service {serviceId}"));
    }

    [Test]
    public async Task AnUndecodableRequestBodyGetsAnInvalidBodyError()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(3, TestIds.Add), [0xc1]);
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        var text = Encoding.UTF8.GetString(body);
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(3)));
        Assert.That(text, Does.StartWith("invalid body for service 1"));
        Assert.That(text, Does.Not.Contain("   at "));
    }

    [Test]
    public async Task AHandlerExceptionGetsAGenericErrorByDefault()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(5, TestIds.Fail), Pack("out of film"));
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(5)));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("internal error in service 3"));
    }

    [Test]
    public async Task WithDetailedErrorsAHandlerExceptionGetsItsMessageOnly()
    {
        await using var served = await ServedRaw.StartAsync(kind, new TestServer { EnableDetailedErrors = true });
        await served.Raw.SendFrameAsync(MessageHeader.Request(5, TestIds.Fail), Pack("out of film"));
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.ErrorResponse(5)));
        Assert.That(Encoding.UTF8.GetString(body), Is.EqualTo("out of film"));
    }

    [Test]
    public async Task AHandlerThatAnswersThenThrowsSendsNoSecondResponse()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(0, TestIds.AnswerThenThrow), [0xc0]);
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(0, TestIds.AnswerThenThrow)));
        Assert.That(body, Is.EqualTo(new byte[] { 0xc0 }));

        // Whatever the server would still have said about request 0 comes before the answer to request 1.
        await served.Raw.SendFrameAsync(MessageHeader.Request(1, TestIds.Ping), [0xc0]);
        (header, _) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(1, TestIds.Ping)));
    }

    [Test]
    public async Task ARequestIdCanBeReusedOnceAnswered()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        for (var i = 0; i < 3; i++)
        {
            await served.Raw.SendFrameAsync(MessageHeader.Request(7, TestIds.Add), Pack(new AddRequest(i, i)));
            var (header, body) = await served.Raw.ReceiveMessageAsync();
            Assert.That(header, Is.EqualTo(MessageHeader.Response(7, TestIds.Add)));
            Assert.That(MessagePackFormat.Default.Decode<int>(body), Is.EqualTo(2 * i));
        }
    }

    [Test]
    public async Task ResponseUpdatesCarryTheDeclaredIdsAndTheRequestId()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(30, TestIds.Count), Pack(4));
        var progress = await served.Raw.ReceiveMessageAsync();
        var note = await served.Raw.ReceiveMessageAsync();
        var undeclared = await served.Raw.ReceiveMessageAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(progress.Header, Is.EqualTo(MessageHeader.ResponderUpdate(30, TestIds.Progress)));
            Assert.That(progress.Body, Is.EqualTo(Pack(4)));
            Assert.That(note.Header, Is.EqualTo(MessageHeader.ResponderUpdate(30, TestIds.Note)));
            Assert.That(note.Body, Is.EqualTo(Pack("started")));
            Assert.That(undeclared.Header, Is.EqualTo(MessageHeader.ResponderUpdate(30, TestIds.UndeclaredUpdate)));
        }

        await served.Raw.SendFrameAsync(MessageHeader.RequesterUpdate(30, TestIds.Adjust), Pack(6));
        await served.Raw.SendFrameAsync(MessageHeader.RequesterUpdate(30, 77), Pack("unknown"));
        await served.Raw.SendFrameAsync(MessageHeader.RequesterUpdate(30, TestIds.Adjust), Pack(0));
        var (header, body) = await served.Raw.ReceiveMessageAsync();
        Assert.That(header, Is.EqualTo(MessageHeader.Response(30, TestIds.Count)));
        Assert.That(MessagePackFormat.Default.Decode<CountResult>(body), Is.EqualTo(new CountResult(10, 1)));
    }

    [Test]
    public async Task StreamMessagesFromTheHandlerGoOutAsStreams()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        await served.Raw.SendFrameAsync(MessageHeader.Request(2, TestIds.Publish), Pack(5));
        var stream = await served.Raw.ReceiveMessageAsync();
        var response = await served.Raw.ReceiveMessageAsync();
        Assert.That(stream.Header, Is.EqualTo(MessageHeader.Stream(TestIds.Tick)));
        Assert.That(stream.Body, Is.EqualTo(Pack(5)));
        Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(2, TestIds.Publish)));
    }
}
