namespace FizyrRpc.Tests.Wire;

/// <summary><see cref="MessageHeader"/>: its factories, its error-response test and its codec's argument checks.</summary>
public class HeaderTests
{
    public static IEnumerable<TestCaseData> Factories()
    {
        yield return new TestCaseData(MessageHeader.Request(21, 7), MessageType.Request, 21u, 7).SetArgDisplayNames("Request");
        yield return new TestCaseData(MessageHeader.Response(21, 7), MessageType.Response, 21u, 7).SetArgDisplayNames("Response");
        yield return new TestCaseData(MessageHeader.Response(21, -5), MessageType.Response, 21u, -5).SetArgDisplayNames("Response negative");
        yield return new TestCaseData(MessageHeader.ErrorResponse(21), MessageType.Response, 21u, -1).SetArgDisplayNames("ErrorResponse");
        yield return new TestCaseData(MessageHeader.RequesterUpdate(uint.MaxValue, 10), MessageType.RequesterUpdate, uint.MaxValue, 10).SetArgDisplayNames("RequesterUpdate");
        yield return new TestCaseData(MessageHeader.ResponderUpdate(0, int.MinValue), MessageType.ResponderUpdate, 0u, int.MinValue).SetArgDisplayNames("ResponderUpdate");
        yield return new TestCaseData(MessageHeader.Stream(3), MessageType.Stream, 0u, 3).SetArgDisplayNames("Stream");
    }

    [TestCaseSource(nameof(Factories))]
    public void FactoriesFillTheHeader(MessageHeader header, MessageType type, uint requestId, int serviceId)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(header.MessageType, Is.EqualTo(type));
            Assert.That(header.RequestId, Is.EqualTo(requestId));
            Assert.That(header.ServiceId, Is.EqualTo(serviceId));
            Assert.That(header, Is.EqualTo(new MessageHeader(type, requestId, serviceId)));
        }
    }

    [Test]
    public void ErrorResponseUsesServiceIdMinusOne()
    {
        Assert.That(MessageHeader.ErrorServiceId, Is.EqualTo(-1));
        Assert.That(MessageHeader.ErrorResponse(4).ServiceId, Is.EqualTo(MessageHeader.ErrorServiceId));
    }

    [Test]
    public void IsErrorResponseOnlyForAResponseWithMinusOne(
        [Values] MessageType type,
        [Values(-1, -2, 0, 1, int.MinValue, int.MaxValue)] int serviceId)
    {
        var header = new MessageHeader(type, 3, serviceId);
        Assert.That(header.IsErrorResponse, Is.EqualTo(type == MessageType.Response && serviceId == -1));
    }

    [Test]
    public void TheFactoriesAgreeWithIsErrorResponse()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(MessageHeader.ErrorResponse(1).IsErrorResponse, Is.True);
            Assert.That(MessageHeader.Response(1, -1).IsErrorResponse, Is.True);
            Assert.That(MessageHeader.Response(1, -2).IsErrorResponse, Is.False);
            Assert.That(MessageHeader.Response(1, 0).IsErrorResponse, Is.False);
            Assert.That(MessageHeader.Request(1, -1).IsErrorResponse, Is.False);
            Assert.That(MessageHeader.RequesterUpdate(1, -1).IsErrorResponse, Is.False);
            Assert.That(MessageHeader.ResponderUpdate(1, -1).IsErrorResponse, Is.False);
            Assert.That(MessageHeader.Stream(-1).IsErrorResponse, Is.False);
        }
    }

    [TestCase(0u, true)]
    [TestCase(4u, true)]
    [TestCase(5u, false)]
    [TestCase(9u, false)]
    [TestCase(uint.MaxValue, false)]
    public void IsValidMessageType(uint value, bool valid) =>
        Assert.That(MessageHeader.IsValidMessageType(value), Is.EqualTo(valid));

    [Test]
    public void DecodeRejectsAnInvalidMessageType(
        [Values(5u, 9u, uint.MaxValue)] uint type,
        [Values(Endian.Little, Endian.Big)] Endian endian)
    {
        var bytes = new byte[MessageHeader.Size];
        new MessageHeader((MessageType)type, 1, 1).Encode(bytes, endian);
        var exception = Assert.Throws<RpcProtocolException>(() => MessageHeader.Decode(bytes, endian))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Error, Is.EqualTo(ProtocolError.InvalidMessageType));
            Assert.That(exception.IsFatal, Is.True);
            Assert.That(exception.Message, Does.Contain(type.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Test]
    public void EncodeDecodeRoundTrips(
        [Values] MessageType type,
        [Values(0u, 1u, 0x01020304u, uint.MaxValue)] uint requestId,
        [Values(int.MinValue, -1, 0, 0x05060708, int.MaxValue)] int serviceId,
        [Values] Endian endian)
    {
        var header = new MessageHeader(type, requestId, serviceId);
        var bytes = new byte[MessageHeader.Size];
        header.Encode(bytes, endian);
        Assert.That(MessageHeader.Decode(bytes, endian), Is.EqualTo(header));
    }

    [Test]
    public void EncodeThrowsOnAShortSpan([Range(0, MessageHeader.Size - 1)] int length)
    {
        var bytes = new byte[length];
        Assert.That(() => MessageHeader.Request(1, 1).Encode(bytes, Endian.Little), Throws.ArgumentException);
    }

    [Test]
    public void DecodeThrowsOnAShortSpan([Range(0, MessageHeader.Size - 1)] int length)
    {
        var bytes = new byte[length];
        Assert.That(() => MessageHeader.Decode(bytes, Endian.Little), Throws.ArgumentException);
    }

    [Test]
    public void EncodeWritesOnlyTwelveBytes()
    {
        var bytes = Enumerable.Repeat((byte)0xAA, MessageHeader.Size + 4).ToArray();
        MessageHeader.Request(1, 1).Encode(bytes, Endian.Little);
        Assert.That(bytes[MessageHeader.Size..], Is.All.EqualTo((byte)0xAA));
        Assert.That(bytes[..MessageHeader.Size], Is.EqualTo(Convert.FromHexString("000000000100000001000000")));
    }

    [Test]
    public void HeadersAreValues()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(MessageHeader.Request(1, 2), Is.EqualTo(MessageHeader.Request(1, 2)));
            Assert.That(MessageHeader.Request(1, 2) == MessageHeader.Request(1, 2), Is.True);
            Assert.That(MessageHeader.Request(1, 2), Is.Not.EqualTo(MessageHeader.Response(1, 2)));
            Assert.That(MessageHeader.Request(1, 2), Is.Not.EqualTo(MessageHeader.Request(2, 2)));
            Assert.That(MessageHeader.Request(1, 2), Is.Not.EqualTo(MessageHeader.Request(1, 3)));
            Assert.That(default(MessageHeader), Is.EqualTo(MessageHeader.Request(0, 0)));
        }
    }

    [Test]
    public void ToStringNamesTypeRequestAndService() =>
        Assert.That(MessageHeader.ResponderUpdate(21, -3).ToString(), Is.EqualTo("ResponderUpdate (request 21, service -3)"));
}
