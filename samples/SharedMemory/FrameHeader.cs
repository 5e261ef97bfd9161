using System.Buffers.Binary;

namespace FizyrRpc.Samples.SharedMemory;

/// <summary>
/// What travels through the socket for a frame: its number, size in points and length in bytes, little-endian
/// (u32 frame, u32 width, u32 height, u64 byte length). The pixels themselves travel as a descriptor.
/// </summary>
public readonly record struct FrameHeader(uint Frame, uint Width, uint Height, ulong ByteLength)
{
    /// <summary>The encoded size.</summary>
    public const int Size = 20;

    /// <summary>Bytes per point of the cloud: x, y, z and intensity as float32.</summary>
    public const int BytesPerPoint = 16;

    /// <summary>The header of frame <paramref name="frame"/> of <paramref name="byteLength"/> bytes, as rows of up to 2048 points.</summary>
    public static FrameHeader For(uint frame, int byteLength)
    {
        var points = (uint)(byteLength / BytesPerPoint);
        var width = points % 2048 == 0 ? 2048u : points;
        return new FrameHeader(frame, width, points / width, (ulong)byteLength);
    }

    /// <summary>Whether width × height points fill exactly the byte length.</summary>
    public bool IsConsistent => (ulong)Width * Height * BytesPerPoint == ByteLength;

    /// <summary>Encodes the header.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Frame);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), Width);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), Height);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(12), ByteLength);
        return bytes;
    }

    /// <summary>Decodes a header.</summary>
    /// <exception cref="InvalidDataException">The body is not <see cref="Size"/> bytes long.</exception>
    public static FrameHeader Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new InvalidDataException($"A frame header is {Size} bytes, not {bytes.Length}.");
        return new FrameHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[12..]));
    }
}
