namespace FizyrRpc.Tests.Formats;

/// <summary>Raw: byte[] and ReadOnlyMemory&lt;byte&gt; pass through untouched, anything else is refused.</summary>
public class RawFormatTests
{
    private static readonly RawFormat Raw = RawFormat.Default;

    [Test]
    public void TheNameIsRaw()
    {
        Assert.That(Raw.Name, Is.EqualTo("raw"));
    }

    [Test]
    public void AByteArrayIsSentAsItIs()
    {
        byte[] bytes = [0x00, 0xc0, 0xff, 0x7b];
        var body = Raw.Encode(bytes);
        Assert.That(body.ToArray(), Is.EqualTo(bytes));
        Assert.That(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment) && segment.Array == bytes, Is.True, "no copy");
    }

    [Test]
    public void ReadOnlyMemoryIsSentAsItIs()
    {
        byte[] backing = [9, 1, 2, 3, 9];
        ReadOnlyMemory<byte> slice = backing.AsMemory(1, 3);
        var body = Raw.Encode(slice);
        Assert.That(body.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(body.Span.Overlaps(backing.AsSpan(1, 3)), Is.True, "no copy");
    }

    [Test]
    public void MemoryIsSentAsItIs()
    {
        Memory<byte> memory = new byte[] { 4, 5 };
        Assert.That(Raw.Encode(memory).ToArray(), Is.EqualTo(new byte[] { 4, 5 }));
    }

    [Test]
    public void ABodyDecodesToTheSameBytes()
    {
        byte[] body = [0xde, 0xad, 0xbe, 0xef];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Raw.Decode<byte[]>(body), Is.EqualTo(body));
            Assert.That(Raw.Decode<ReadOnlyMemory<byte>>(body).ToArray(), Is.EqualTo(body));
            Assert.That(Raw.Decode<Memory<byte>>(body).ToArray(), Is.EqualTo(body));
        }
    }

    [Test]
    public void ReadOnlyMemoryDecodesWithoutACopy()
    {
        ReadOnlyMemory<byte> body = new byte[] { 1, 2, 3 };
        Assert.That(Raw.Decode<ReadOnlyMemory<byte>>(body).Span.Overlaps(body.Span), Is.True);
    }

    [Test]
    public void AByteArrayDecodesToACopyTheCallerOwns()
    {
        // The peer may reuse a received body's buffer once the message is disposed; the byte[] must not alias it.
        ReadOnlyMemory<byte> body = new byte[] { 1, 2, 3 };
        Assert.That(Raw.Decode<byte[]>(body).AsSpan().Overlaps(body.Span), Is.False);
    }

    [Test]
    public void EmptyAndNullAreTheEmptyBody()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Raw.Encode<byte[]?>(null).IsEmpty, Is.True);
            Assert.That(Raw.Encode(Array.Empty<byte>()).IsEmpty, Is.True);
            Assert.That(Raw.Decode<byte[]>(ReadOnlyMemory<byte>.Empty), Is.Empty);
            Assert.That(Raw.Decode<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty).IsEmpty, Is.True);
        }
    }

    [Test]
    public void OtherTypesAreRefusedWhenEncoding()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.Throws<RpcFormatException>(() => Raw.Encode(42))!.BodyType, Is.EqualTo(typeof(int)));
            Assert.That(Assert.Throws<RpcFormatException>(() => Raw.Encode("text"))!.BodyType, Is.EqualTo(typeof(string)));
            Assert.That(Assert.Throws<RpcFormatException>(() => Raw.Encode(new Point(1, 2)))!.BodyType, Is.EqualTo(typeof(Point)));
            Assert.That(Assert.Throws<RpcFormatException>(() => Raw.Encode(new List<byte> { 1 }))!.BodyType, Is.EqualTo(typeof(List<byte>)));
        }
    }

    public static IEnumerable<TestCaseData> NonEmptyBodiesOfOtherTypes()
    {
        yield return DecodeCase.Of<int>("int", [1, 0, 0, 0]);
        yield return DecodeCase.Of<string>("string", "text");
        yield return DecodeCase.Of<Point>("Point", [0x92, 0x01, 0x02]);
        yield return DecodeCase.Of<List<byte>>("List<byte>", [1]);
    }

    [TestCaseSource(nameof(NonEmptyBodiesOfOtherTypes))]
    public void OtherTypesAreRefusedWhenDecoding(DecodeCase body)
    {
        body.AssertRefused(Raw);
    }

    [Test]
    public void DescribeSaysBytesForEveryType()
    {
        Assert.That(new[] { typeof(byte[]), typeof(ReadOnlyMemory<byte>), typeof(int) }.Select(Raw.Describe), Is.All.EqualTo("bytes"));
    }
}
