using MessagePack;

namespace FizyrRpc.Tests.Formats;

/// <summary>MessagePack: untrusted-data security always on, hostile and malformed bodies refused with <see cref="RpcFormatException"/>.</summary>
public class MessagePackFormatTests
{
    [Test]
    public void TheDefaultFormatReadsWithUntrustedDataSecurity()
    {
        Assert.That(MessagePackFormat.Default.Options.Security, Is.SameAs(MessagePackSecurity.UntrustedData));
        Assert.That(MessagePackFormat.Default.Name, Is.EqualTo("msgpack"));
    }

    [Test]
    public void CustomOptionsStillGetUntrustedDataSecurity()
    {
        var trusting = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.TrustedData);
        var format = new MessagePackFormat(trusting);
        Assert.That(format.Options.Security, Is.SameAs(MessagePackSecurity.UntrustedData));
    }

    [Test]
    public void CustomOptionsKeepTheirOtherSettings()
    {
        var compressed = MessagePackSerializerOptions.Standard.WithCompression(MessagePackCompression.Lz4BlockArray);
        var format = new MessagePackFormat(compressed);
        Assert.That(format.Options.Compression, Is.EqualTo(MessagePackCompression.Lz4BlockArray));
        var text = new string('x', 1000);
        Assert.That(format.Decode<string>(format.Encode(text)), Is.EqualTo(text));
    }

    [TestCase(10_000)]
    [TestCase(1_000_000)]
    public void ADeeplyNestedBodyIsRefusedInsteadOfOverflowingTheStack(int depth)
    {
        // fixarray(1) repeated, then nil: [[[...[nil]...]]].
        var body = new byte[depth + 1];
        body.AsSpan(0, depth).Fill(0x91);
        body[depth] = 0xc0;

        var error = Assert.Throws<RpcFormatException>(() => MessagePackFormat.Default.Decode<object>(body))!;
        Assert.That(error.BodyType, Is.EqualTo(typeof(object)));
        Assert.That(error.InnerException, Is.Not.Null);
    }

    [Test]
    public void ADeeplyNestedMapIsRefusedToo()
    {
        // fixmap(1) { nil: { nil: ... } } 10,000 deep.
        const int depth = 10_000;
        var body = new byte[depth * 2 + 1];
        for (var i = 0; i < depth; i++)
        {
            body[i * 2] = 0x81;
            body[i * 2 + 1] = 0xc0;
        }

        body[^1] = 0xc0;
        Assert.Throws<RpcFormatException>(() => MessagePackFormat.Default.Decode<object>(body));
    }

    [Test]
    public void NestingWithinTheLimitStillDecodes()
    {
        var nested = new List<List<List<int>>> { new() { new() { 1, 2 } } };
        var decoded = MessagePackFormat.Default.Decode<List<List<List<int>>>>(MessagePackFormat.Default.Encode(nested));
        Assert.That(decoded, Is.EqualTo(nested));
    }

    public static IEnumerable<TestCaseData> MalformedBodies()
    {
        yield return DecodeCase.Of<int>("never-used byte as int", [0xc1]);
        yield return DecodeCase.Of<int>("string as int", [0xa3, (byte)'a', (byte)'b', (byte)'c']);
        yield return DecodeCase.Of<Point>("truncated array as Point", [0x92, 0x01]);
        yield return DecodeCase.Of<string>("truncated string", [0xa5, (byte)'a']);
        yield return DecodeCase.Of<int>("truncated uint16", [0xcd, 0x01]);
        yield return DecodeCase.Of<Point>("int as Point", [0x2a]);
        yield return DecodeCase.Of<sbyte>("255 as sbyte", [0xcc, 0xff]);
        yield return DecodeCase.Of<List<int>>("array claiming 2^32-1 items", [0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]);
    }

    [TestCaseSource(nameof(MalformedBodies))]
    public void AMalformedBodyGivesRpcFormatExceptionWithTheBodyType(DecodeCase body)
    {
        var error = body.AssertRefused(MessagePackFormat.Default);
        Assert.That(error.InnerException, Is.InstanceOf<MessagePackSerializationException>());
    }

    [Test]
    public void AnUnencodableValueGivesRpcFormatExceptionWithTheBodyType()
    {
        var error = Assert.Throws<RpcFormatException>(() => MessagePackFormat.Default.Encode(new NotAnnotated { Value = 1 }))!;
        Assert.That(error.BodyType, Is.EqualTo(typeof(NotAnnotated)));
        Assert.That(error.Message, Does.Contain(nameof(NotAnnotated)));
    }

    [Test]
    public void ARecordEncodesAsAnArrayByKey()
    {
        // [MessagePackObject] with integer keys: a fixarray of the fields, in key order.
        Assert.That(MessagePackFormat.Default.Encode(new Point(1, 2)).ToArray(), Is.EqualTo(new byte[] { 0x92, 0x01, 0x02 }));
    }
}
