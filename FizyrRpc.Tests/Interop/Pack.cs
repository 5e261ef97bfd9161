using System.Text;

namespace FizyrRpc.Tests.Interop;

/// <summary>MessagePack values from their format bytes (the MessagePack specification), for the small values the tests use.</summary>
public static class Pack
{
    public const byte Nil = 0xc0;
    public const byte False = 0xc2;
    public const byte True = 0xc3;

    /// <summary>A fixarray (0x90 | n) of already-encoded items.</summary>
    public static byte[] Array(params byte[][] items)
    {
        Assert.That(items, Has.Length.LessThan(16), "fixarray only");
        return [(byte)(0x90 | items.Length), .. items.SelectMany(item => item)];
    }

    /// <summary>A positive fixint (0x00 - 0x7f).</summary>
    public static byte[] Int(int value)
    {
        Assert.That(value, Is.InRange(0, 0x7f), "positive fixint only");
        return [(byte)value];
    }

    /// <summary>A fixstr (0xa0 | length) of UTF-8 bytes.</summary>
    public static byte[] Str(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        Assert.That(utf8, Has.Length.LessThan(32), "fixstr only");
        return [(byte)(0xa0 | utf8.Length), .. utf8];
    }

    /// <summary>A bin 8 (0xc4, length byte, bytes).</summary>
    public static byte[] Bin(params byte[] bytes)
    {
        Assert.That(bytes, Has.Length.LessThan(256), "bin 8 only");
        return [0xc4, (byte)bytes.Length, .. bytes];
    }

    public static byte[] Bool(bool value) => [value ? True : False];

    public static byte[] NilValue => [Nil];
}
