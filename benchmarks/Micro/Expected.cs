using System.Buffers.Binary;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>
/// Expected wire bytes, written straight from the protocol's layout with BinaryPrimitives rather than through the
/// code under test, so a check compares against an independent source.
/// </summary>
internal static class Expected
{
    public static byte[] Header(MessageHeader header, Endian endian)
    {
        var bytes = new byte[12];
        Write(bytes, (uint)header.MessageType, endian);
        Write(bytes.AsSpan(4), header.RequestId, endian);
        Write(bytes.AsSpan(8), unchecked((uint)header.ServiceId), endian);
        return bytes;
    }

    public static byte[] Frame(MessageHeader header, ReadOnlySpan<byte> body, Endian endian)
    {
        var bytes = new byte[4 + 12 + body.Length];
        Write(bytes, (uint)(12 + body.Length), endian);
        Header(header, endian).CopyTo(bytes, 4);
        body.CopyTo(bytes.AsSpan(16));
        return bytes;
    }

    /// <summary>A body whose every byte differs from its neighbours, so a misplaced slice shows.</summary>
    public static byte[] Body(int length)
    {
        var body = new byte[length];
        for (var i = 0; i < length; i++)
            body[i] = (byte)(i * 7 + 3);
        return body;
    }

    private static void Write(Span<byte> destination, uint value, Endian endian)
    {
        var little = endian == Endian.Little || (endian == Endian.Native && BitConverter.IsLittleEndian);
        if (little)
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        else
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
    }
}
