using System.Buffers;

namespace FizyrRpc;

/// <summary>
/// Framing of messages on byte streams (TCP, Unix stream): a u32 length prefix that counts the header and the body,
/// then the 12-byte header, then the body. Pure functions: no I/O.
/// </summary>
public static class StreamFraming
{
    /// <summary>The size of the length prefix in bytes.</summary>
    public const int LengthPrefixSize = 4;

    /// <summary>The size of the length prefix and the header together.</summary>
    public const int PrefixAndHeaderSize = LengthPrefixSize + MessageHeader.Size;

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/>. On success the buffer is advanced past the frame and
    /// <paramref name="body"/> is a slice of the original buffer (no copy). Errors are detected as early as the bytes
    /// allow: a length below 12 or above the limit as soon as the 4 length bytes are there, an invalid message type as
    /// soon as its 4 bytes are there, so nothing of the announced size is ever waited for or allocated.
    /// </summary>
    /// <param name="buffer">The bytes received so far; advanced past the frame when one is returned.</param>
    /// <param name="endian">The byte order of the length prefix and the header.</param>
    /// <param name="maxBodyLength">The largest body accepted.</param>
    /// <param name="header">The header of the frame.</param>
    /// <param name="body">The body of the frame, a slice of <paramref name="buffer"/>.</param>
    /// <returns>False when the buffer does not yet hold a whole frame; the buffer is then unchanged.</returns>
    /// <exception cref="RpcProtocolException">The frame is malformed; the stream cannot be used any more.</exception>
    public static bool TryReadFrame(
        ref ReadOnlySequence<byte> buffer,
        Endian endian,
        long maxBodyLength,
        out MessageHeader header,
        out ReadOnlySequence<byte> body)
    {
        body = default;
        if (!TryReadFrameHeader(buffer, endian, maxBodyLength, out header, out var bodyLength))
            return false;

        var frameLength = PrefixAndHeaderSize + bodyLength;
        if (buffer.Length < frameLength)
        {
            header = default;
            return false;
        }

        body = buffer.Slice(PrefixAndHeaderSize, bodyLength);
        buffer = buffer.Slice(frameLength);
        return true;
    }

    /// <summary>
    /// Reads the length prefix and the header at the start of <paramref name="buffer"/>, whether or not the body is
    /// there yet, with the same early checks as <see cref="TryReadFrame"/>. A transport uses it to receive a large body
    /// straight into its own array instead of through its read buffer.
    /// </summary>
    /// <param name="buffer">The bytes received so far; not changed.</param>
    /// <param name="endian">The byte order of the length prefix and the header.</param>
    /// <param name="maxBodyLength">The largest body accepted.</param>
    /// <param name="header">The header of the frame.</param>
    /// <param name="bodyLength">The length of the body the frame announces (checked against the limit).</param>
    /// <returns>False when the buffer does not yet hold the length prefix and the header.</returns>
    /// <exception cref="RpcProtocolException">The frame is malformed; the stream cannot be used any more.</exception>
    public static bool TryReadFrameHeader(
        in ReadOnlySequence<byte> buffer,
        Endian endian,
        long maxBodyLength,
        out MessageHeader header,
        out long bodyLength)
    {
        header = default;
        bodyLength = 0;
        if (buffer.Length < LengthPrefixSize)
            return false;

        var little = endian.IsLittle();
        Span<byte> prefix = stackalloc byte[PrefixAndHeaderSize];
        var available = (int)Math.Min(buffer.Length, PrefixAndHeaderSize);
        buffer.Slice(0, available).CopyTo(prefix);

        var length = EndianCodec.ReadUInt32(prefix, little);
        if (length < MessageHeader.Size)
            throw RpcProtocolException.MessageTooShort(length);
        var announced = length - (long)MessageHeader.Size;
        if (announced > maxBodyLength)
            throw RpcProtocolException.PayloadTooLarge(announced, maxBodyLength);

        if (available >= LengthPrefixSize + 4)
        {
            var type = EndianCodec.ReadUInt32(prefix[LengthPrefixSize..], little);
            if (!MessageHeader.IsValidMessageType(type))
                throw RpcProtocolException.InvalidMessageType(type);
        }

        if (available < PrefixAndHeaderSize)
            return false;

        header = MessageHeader.Decode(prefix[LengthPrefixSize..], endian);
        bodyLength = announced;
        return true;
    }

    /// <summary>The number of bytes a frame with a body of <paramref name="bodyLength"/> bytes takes.</summary>
    public static long GetFrameLength(long bodyLength) => PrefixAndHeaderSize + bodyLength;

    /// <summary>Writes the length prefix and the header of a frame into the first 16 bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The body is too long for the u32 length field.</exception>
    public static void WritePrefixAndHeader(Span<byte> destination, MessageHeader header, long bodyLength, Endian endian)
    {
        if (bodyLength < 0 || bodyLength > uint.MaxValue - MessageHeader.Size)
            throw new ArgumentOutOfRangeException(nameof(bodyLength), bodyLength, "The body does not fit in a frame.");
        if (destination.Length < PrefixAndHeaderSize)
            throw new ArgumentException("The destination is shorter than a length prefix and a header.", nameof(destination));
        EndianCodec.WriteUInt32(destination, (uint)(bodyLength + MessageHeader.Size), endian.IsLittle());
        header.Encode(destination[LengthPrefixSize..], endian);
    }

    /// <summary>Writes a whole frame (prefix, header, body) to <paramref name="writer"/>.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, MessageHeader header, ReadOnlySpan<byte> body, Endian endian)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(PrefixAndHeaderSize);
        WritePrefixAndHeader(span, header, body.Length, endian);
        writer.Advance(PrefixAndHeaderSize);
        if (!body.IsEmpty)
            writer.Write(body);
    }
}
