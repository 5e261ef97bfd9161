using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace FizyrRpc.Tests.Formats;

/// <summary>
/// byte[] bodies in MessagePack, which the format reads itself (into an array the collector does not clear) when the
/// resolver reads them as MessagePack does: the same bytes, the same errors, and a resolver that gives byte[] another
/// meaning still has its way.
/// </summary>
public class MessagePackBytesTests
{
    private static readonly MessagePackFormat Standard = new(MessagePackSerializerOptions.Standard);

    public static IEnumerable<IRpcFormat> Formats => [Standard, Typed.ILargeEcho.DefaultFormat];

    [Test]
    public void EveryBinSizeDecodesAsMessagePackItselfReadsIt(
        [ValueSource(nameof(Formats))] IRpcFormat format,
        [Values(0, 1, 255, 256, 65_535, 65_536, 1 << 20)] int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        var body = MessagePackSerializer.Serialize(bytes, MessagePackSerializerOptions.Standard);

        Assert.That(format.Encode(bytes).ToArray(), Is.EqualTo(body), "encoded as MessagePack encodes it");
        Assert.That(format.Decode<byte[]>(body), Is.EqualTo(bytes));
    }

    [Test]
    public void NilIsNoBodyAndOnlyANullableDeclarationTakesIt([ValueSource(nameof(Formats))] IRpcFormat format)
    {
        byte[] nil = [0xc0];
        Assert.That(format.Decode<byte[]?>(nil, nullable: true), Is.Null);
        Assert.Throws<RpcFormatException>(() => format.Decode<byte[]>(nil));
    }

    [Test]
    public void NotABinOrBytesAfterItAreInvalidBodies([ValueSource(nameof(Formats))] IRpcFormat format)
    {
        var text = MessagePackSerializer.Serialize("not bytes", MessagePackSerializerOptions.Standard);
        byte[] trailing = [0xc4, 0x02, 0x01, 0x02, 0x07];
        byte[] cut = [0xc5, 0x01, 0x00, 0x01];

        Assert.Throws<RpcFormatException>(() => format.Decode<byte[]>(trailing));
        Assert.Throws<RpcFormatException>(() => format.Decode<byte[]>(cut));
        // A str where a bin is due: whatever MessagePack's own formatter makes of it, the format makes the same.
        byte[]? expected = null;
        try
        {
            expected = MessagePackSerializer.Deserialize<byte[]>(text, MessagePackSerializerOptions.Standard);
        }
        catch (MessagePackSerializationException)
        {
        }

        if (expected is null)
            Assert.Throws<RpcFormatException>(() => format.Decode<byte[]>(text));
        else
            Assert.That(format.Decode<byte[]>(text), Is.EqualTo(expected));
    }

    [Test]
    public void AResolverWithItsOwnByteArrayFormatterIsFollowed()
    {
        var resolver = CompositeResolver.Create([new HexFormatter()], [StandardResolver.Instance]);
        var format = new MessagePackFormat(MessagePackSerializerOptions.Standard.WithResolver(resolver));
        byte[] bytes = [0xde, 0xad, 0xbe, 0xef];

        var body = format.Encode(bytes);
        Assert.That(MessagePackSerializer.Deserialize<string>(body, MessagePackSerializerOptions.Standard), Is.EqualTo("DEADBEEF"));
        Assert.That(format.Decode<byte[]>(body), Is.EqualTo(bytes));
    }

    /// <summary>byte[] as a hex string: a meaning of its own.</summary>
    private sealed class HexFormatter : IMessagePackFormatter<byte[]?>
    {
        public void Serialize(ref MessagePackWriter writer, byte[]? value, MessagePackSerializerOptions options) =>
            writer.Write(value is null ? null : Convert.ToHexString(value));

        public byte[]? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            reader.ReadString() is { } hex ? Convert.FromHexString(hex) : null;
    }
}
