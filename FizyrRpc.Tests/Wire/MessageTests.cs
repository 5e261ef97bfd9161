using System.Buffers;
using System.Text;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Wire;

/// <summary><see cref="Message{TBody}"/> with a <see cref="StreamBody"/>: error responses and their text.</summary>
public class MessageTests
{
    public static IEnumerable<TestCaseData> SuccessVectors() =>
        WireVectors.Valid
            .Where(v => !(v.Type == (uint)MessageType.Response && v.ServiceId == -1))
            .Select(v => new TestCaseData(v).SetArgDisplayNames(v.Name));

    [Test]
    public void ThrowIfErrorThrowsTheErrorTextOfTheErrorResponseVector()
    {
        var message = ReadVector(WireVectors.GetValid("error response"));
        var exception = Assert.Throws<RemoteErrorException>(() => message.ThrowIfError())!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Message, Is.EqualTo("failed to process request"));
            Assert.That(exception.RequestId, Is.EqualTo(21u));
            Assert.That(exception, Is.InstanceOf<RpcException>());
        }
    }

    [Test]
    public void TheErrorResponseVectorIsAnErrorResponse()
    {
        var message = ReadVector(WireVectors.GetValid("error response"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.IsErrorResponse, Is.True);
            Assert.That(message.ServiceId, Is.EqualTo(-1));
            Assert.That(message.GetErrorMessage(), Is.EqualTo("failed to process request"));
        }
    }

    [TestCaseSource(nameof(SuccessVectors))]
    public void ThrowIfErrorReturnsAnyOtherMessage(ValidVector vector)
    {
        var message = ReadVector(vector);
        var returned = message.ThrowIfError();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(returned.Header, Is.EqualTo(vector.Header));
            Assert.That(returned.Body, Is.EqualTo(new StreamBody(vector.Body)));
            Assert.That(returned.IsErrorResponse, Is.False);
        }
    }

    [TestCaseSource(nameof(SuccessVectors))]
    public void GetErrorMessageRefusesAnyOtherMessage(ValidVector vector) =>
        Assert.That(() => ReadVector(vector).GetErrorMessage(), Throws.InvalidOperationException);

    [TestCase(-2)]
    [TestCase(int.MinValue)]
    [TestCase(0)]
    [TestCase(7)]
    public void AResponseWithAnyOtherServiceIdIsASuccess(int serviceId)
    {
        var message = new Message<StreamBody>(MessageHeader.Response(3, serviceId), StreamBody.FromString("not an error"));
        Assert.That(message.ThrowIfError().ServiceId, Is.EqualTo(serviceId));
    }

    [Test]
    public void TheErrorTextIsDecodedAsUtf8()
    {
        const string text = "échec: ファイルが見つかりません 🚫";
        var message = new Message<StreamBody>(MessageHeader.ErrorResponse(77), new StreamBody(Encoding.UTF8.GetBytes(text)));
        var exception = Assert.Throws<RemoteErrorException>(() => message.ThrowIfError())!;
        Assert.That(exception.Message, Is.EqualTo(text));
        Assert.That(exception.RequestId, Is.EqualTo(77u));
        Assert.That(message.GetErrorMessage(), Is.EqualTo(text));
    }

    [Test]
    public void AnEmptyErrorResponseHasAnEmptyText()
    {
        var message = new Message<StreamBody>(MessageHeader.ErrorResponse(1), StreamBody.Empty);
        Assert.That(message.GetErrorMessage(), Is.Empty);
        Assert.That(() => message.ThrowIfError(), Throws.TypeOf<RemoteErrorException>().With.Property(nameof(RemoteErrorException.RequestId)).EqualTo(1u));
    }

    [Test]
    public void AnErrorServiceIdOnAnotherTypeIsNotAnError(
        [Values(MessageType.Request, MessageType.RequesterUpdate, MessageType.ResponderUpdate, MessageType.Stream)] MessageType type)
    {
        var message = new Message<StreamBody>(new MessageHeader(type, 1, -1), StreamBody.FromString("x"));
        Assert.That(message.IsErrorResponse, Is.False);
        Assert.That(message.ThrowIfError().Header, Is.EqualTo(message.Header));
    }

    [Test]
    public void ToStringNamesTheHeaderAndTheBodySize() =>
        Assert.That(
            new Message<StreamBody>(MessageHeader.Request(21, 0), StreamBody.FromString("Hello World")).ToString(),
            Is.EqualTo("Request (request 21, service 0): 11 bytes"));

    private static Message<StreamBody> ReadVector(ValidVector vector)
    {
        var buffer = new ReadOnlySequence<byte>(vector.Framed);
        Assert.That(StreamFraming.TryReadFrame(ref buffer, vector.Endian, FrameReading.DefaultMaxBody, out var header, out var body), Is.True);
        return new Message<StreamBody>(header, new StreamBody(body.ToArray()));
    }
}
