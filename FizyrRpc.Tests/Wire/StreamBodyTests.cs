using System.Text;

namespace FizyrRpc.Tests.Wire;

/// <summary><see cref="StreamBody"/>: byte equality, UTF-8 conversions and wrapping without a copy.</summary>
public class StreamBodyTests
{
    [Test]
    public void BodiesWithTheSameBytesAreEqual()
    {
        var a = new StreamBody(new byte[] { 1, 2, 3 });
        var b = new StreamBody(new byte[] { 1, 2, 3 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Equals(b), Is.True);
            Assert.That(a == b, Is.True);
            Assert.That(a != b, Is.False);
            Assert.That(a.Equals((object)b), Is.True);
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        }
    }

    [TestCase(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 4 })]
    [TestCase(new byte[] { 1, 2, 3 }, new byte[] { 1, 2 })]
    [TestCase(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 3, 0 })]
    [TestCase(new byte[] { 0 }, new byte[0])]
    public void BodiesWithDifferentBytesDiffer(byte[] left, byte[] right)
    {
        var a = new StreamBody(left);
        var b = new StreamBody(right);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Equals(b), Is.False);
            Assert.That(a == b, Is.False);
            Assert.That(a != b, Is.True);
            Assert.That(b.Equals((object)a), Is.False);
        }
    }

    [Test]
    public void EmptyBodiesAreEqualHoweverMade()
    {
        StreamBody[] empties = [StreamBody.Empty, default, new StreamBody(Array.Empty<byte>()), StreamBody.FromString(string.Empty), new byte[0]];
        foreach (var empty in empties)
        {
            Assert.That(empty, Is.EqualTo(StreamBody.Empty));
            Assert.That(empty.Length, Is.Zero);
            Assert.That(empty.GetHashCode(), Is.EqualTo(StreamBody.Empty.GetHashCode()));
            Assert.That(empty.ToUtf8String(), Is.Empty);
        }
    }

    [Test]
    public void EqualsAnotherTypeIsFalse()
    {
        var body = new StreamBody(new byte[] { 1 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Equals((object?)null), Is.False);
            Assert.That(body.Equals((object)new byte[] { 1 }), Is.False);
            Assert.That(body.Equals((object)"\u0001"), Is.False);
        }
    }

    [TestCase("")]
    [TestCase("Hello World")]
    [TestCase("failed to process request")]
    [TestCase("héllo wörld ✓ 🚀")]
    public void FromStringIsUtf8AndToUtf8StringReadsItBack(string text)
    {
        var body = StreamBody.FromString(text);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Data.ToArray(), Is.EqualTo(Encoding.UTF8.GetBytes(text)));
            Assert.That(body.Span.ToArray(), Is.EqualTo(Encoding.UTF8.GetBytes(text)));
            Assert.That(body.Length, Is.EqualTo(Encoding.UTF8.GetByteCount(text)));
            Assert.That(body.ToUtf8String(), Is.EqualTo(text));
        }
    }

    [Test]
    public void FromStringOfTheEchoBodyGivesTheVectorBytes() =>
        Assert.That(StreamBody.FromString("Hello World").Data.ToArray(), Is.EqualTo(Convert.FromHexString("48656c6c6f20576f726c64")));

    [Test]
    public void WrappingDoesNotCopy()
    {
        var bytes = new byte[] { 1, 2, 3 };
        StreamBody fromArray = bytes;
        StreamBody fromMemory = new ReadOnlyMemory<byte>(bytes, 1, 2);
        var fromBytes = StreamBody.FromBytes(bytes);
        bytes[1] = 9;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromArray.Span[1], Is.EqualTo(9));
            Assert.That(fromMemory.Span[0], Is.EqualTo(9));
            Assert.That(fromMemory.Length, Is.EqualTo(2));
            Assert.That(fromBytes.Span[1], Is.EqualTo(9));
        }
    }

    [Test]
    public void DisposeLeavesTheBytes()
    {
        var body = StreamBody.FromString("abc");
        body.Dispose();
        Assert.That(body.ToUtf8String(), Is.EqualTo("abc"));
    }

    [Test]
    public void ToStringGivesTheSize() =>
        Assert.That(StreamBody.FromString("tick").ToString(), Is.EqualTo("4 bytes"));
}
