using System.Text;

namespace FizyrRpc.Tests.Formats;

/// <summary>
/// "No body" per format (MessagePack nil, JSON null, raw empty), and the one top-level rule every decoder applies: an
/// empty body or "no body" is the default value for a declared type that accepts it (nullable), an invalid body otherwise.
/// </summary>
public class NoBodyTests
{
    public static IEnumerable<TestCaseData> AllFormats()
    {
        yield return new TestCaseData(MessagePackFormat.Default).SetArgDisplayNames("msgpack");
        yield return new TestCaseData(new JsonFormat()).SetArgDisplayNames("json");
        yield return new TestCaseData(RawFormat.Default).SetArgDisplayNames("raw");
    }

    public static IEnumerable<TestCaseData> StructuredFormats()
    {
        yield return new TestCaseData(MessagePackFormat.Default).SetArgDisplayNames("msgpack");
        yield return new TestCaseData(new JsonFormat()).SetArgDisplayNames("json");
    }

    [Test]
    public void MessagePackNoBodyIsNil()
    {
        Assert.That(MessagePackFormat.Default.NoBody.ToArray(), Is.EqualTo(new byte[] { 0xc0 }));
    }

    [Test]
    public void JsonNoBodyIsTheFourBytesNull()
    {
        // The reference's serde_json users send () as `null`.
        Assert.That(Encoding.UTF8.GetString(new JsonFormat().NoBody.Span), Is.EqualTo("null"));
        Assert.That(new JsonFormat().NoBody.Length, Is.EqualTo(4));
    }

    [Test]
    public void RawNoBodyIsEmpty()
    {
        Assert.That(RawFormat.Default.NoBody.IsEmpty, Is.True);
    }

    [TestCaseSource(nameof(AllFormats))]
    public void AnEmptyBodyIsTheDefaultValueOnlyForANullableDeclaredType(IRpcFormat format)
    {
        var empty = ReadOnlyMemory<byte>.Empty;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(format.Decode<int?>(empty), Is.Null, "Nullable<T> always accepts it");
            Assert.That(format.Decode<string?>(empty, nullable: true), Is.Null);
            Assert.That(format.Decode<Point?>(empty, nullable: true), Is.Null);
            Assert.That(format.Decode<List<int>?>(empty, nullable: true), Is.Null);
            Assert.That(Assert.Throws<RpcFormatException>(() => format.Decode<int>(empty))!.Message, Is.EqualTo("no body (empty) for a non-nullable int"));
            Assert.That(Assert.Throws<RpcFormatException>(() => format.Decode<string>(empty))!.BodyType, Is.EqualTo(typeof(string)));
            Assert.That(Assert.Throws<RpcFormatException>(() => format.Decode<Point>(empty))!.Message, Is.EqualTo("no body (empty) for a non-nullable Point"));
            Assert.That(Assert.Throws<RpcFormatException>(() => format.Decode<List<int>>(empty))!.Message, Is.EqualTo("no body (empty) for a non-nullable List<int>"));
        }
    }

    [TestCaseSource(nameof(StructuredFormats))]
    public void NoBodyIsNullOnlyForANullableDeclaredType(IRpcFormat format)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(format.Decode<string?>(format.NoBody, nullable: true), Is.Null);
            Assert.That(format.Decode<Point?>(format.NoBody, nullable: true), Is.Null);
            Assert.That(format.Decode<int?>(format.NoBody), Is.Null);
            Assert.Throws<RpcFormatException>(() => format.Decode<string>(format.NoBody));
            Assert.Throws<RpcFormatException>(() => format.Decode<Point>(format.NoBody));
            Assert.Throws<RpcFormatException>(() => format.Decode<int>(format.NoBody));
        }
    }

    [Test]
    public void RawBytesAreBytesEvenWhenEmpty()
    {
        Assert.That(RawFormat.Default.Decode<byte[]>(ReadOnlyMemory<byte>.Empty), Is.Empty);
        Assert.That(RawFormat.Default.Decode<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty).IsEmpty, Is.True);
    }

    [TestCaseSource(nameof(AllFormats))]
    public void NoBodyIsTheSameBytesEveryTime(IRpcFormat format)
    {
        Assert.That(format.NoBody.ToArray(), Is.EqualTo(format.NoBody.ToArray()));
    }
}
