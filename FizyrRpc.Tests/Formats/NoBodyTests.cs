using System.Text;

namespace FizyrRpc.Tests.Formats;

/// <summary>"No body" per format (MessagePack nil, JSON null, raw empty), and every decoder reads an empty body as the default value.</summary>
public class NoBodyTests
{
    public static IEnumerable<TestCaseData> AllFormats()
    {
        yield return new TestCaseData(MessagePackFormat.Default).SetArgDisplayNames("msgpack");
        yield return new TestCaseData(new JsonFormat()).SetArgDisplayNames("json");
        yield return new TestCaseData(RawFormat.Default).SetArgDisplayNames("raw");
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
    public void AnEmptyBodyDecodesAsTheDefaultValue(IRpcFormat format)
    {
        var empty = ReadOnlyMemory<byte>.Empty;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(format.Decode<int>(empty), Is.Zero);
            Assert.That(format.Decode<bool>(empty), Is.False);
            Assert.That(format.Decode<int?>(empty), Is.Null);
            Assert.That(format.Decode<string?>(empty), Is.Null);
            Assert.That(format.Decode<Point?>(empty), Is.Null);
            Assert.That(format.Decode<List<int>?>(empty), Is.Null);
        }
    }

    [TestCaseSource(nameof(AllFormats))]
    public void NoBodyDecodesAsNullForReferenceAndNullableTypes(IRpcFormat format)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(format.Decode<string?>(format.NoBody), Is.Null);
            Assert.That(format.Decode<Point?>(format.NoBody), Is.Null);
            Assert.That(format.Decode<int?>(format.NoBody), Is.Null);
        }
    }

    [TestCaseSource(nameof(AllFormats))]
    public void NoBodyIsTheSameBytesEveryTime(IRpcFormat format)
    {
        Assert.That(format.NoBody.ToArray(), Is.EqualTo(format.NoBody.ToArray()));
    }
}
