using System.Buffers.Binary;

namespace FizyrRpc;

/// <summary>The byte order of the integers of the header and the length prefix.</summary>
public enum Endian
{
    /// <summary>Least significant byte first: the default of the byte-stream transports.</summary>
    Little,

    /// <summary>Most significant byte first.</summary>
    Big,

    /// <summary>The byte order of this machine: the default of Unix seqpacket.</summary>
    Native,
}

/// <summary>Reads and writes the protocol's 32-bit integers in a given <see cref="Endian"/>.</summary>
internal static class EndianCodec
{
    /// <summary>Resolves <see cref="Endian.Native"/> to the machine's byte order.</summary>
    public static bool IsLittle(this Endian endian) => endian switch
    {
        Endian.Little => true,
        Endian.Big => false,
        Endian.Native => BitConverter.IsLittleEndian,
        _ => throw new ArgumentOutOfRangeException(nameof(endian), endian, "Unknown byte order."),
    };

    public static uint ReadUInt32(ReadOnlySpan<byte> source, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(source) : BinaryPrimitives.ReadUInt32BigEndian(source);

    public static void WriteUInt32(Span<byte> destination, uint value, bool little)
    {
        if (little)
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        else
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
    }
}
