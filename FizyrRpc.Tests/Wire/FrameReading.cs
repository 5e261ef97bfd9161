using System.Buffers;

namespace FizyrRpc.Tests.Wire;

/// <summary>A frame read by <see cref="StreamFraming.TryReadFrame"/>, its body copied out of the buffer.</summary>
internal sealed record ReadFrame(MessageHeader Header, byte[] Body);

internal static class FrameReading
{
    /// <summary>The default read limit of the reference's stream transports (8 KiB).</summary>
    public const long DefaultMaxBody = 8192;

    /// <summary>Reads frames from <paramref name="buffer"/> until <see cref="StreamFraming.TryReadFrame"/> returns false.</summary>
    public static List<ReadFrame> ReadAll(ref ReadOnlySequence<byte> buffer, Endian endian, long maxBodyLength = DefaultMaxBody)
    {
        var frames = new List<ReadFrame>();
        while (StreamFraming.TryReadFrame(ref buffer, endian, maxBodyLength, out var header, out var body))
            frames.Add(new ReadFrame(header, body.ToArray()));
        return frames;
    }

    /// <summary>Reads frames from all of <paramref name="data"/>, which must hold only whole frames.</summary>
    public static List<ReadFrame> ReadAll(byte[] data, Endian endian, long maxBodyLength = DefaultMaxBody)
    {
        var buffer = new ReadOnlySequence<byte>(data);
        var frames = ReadAll(ref buffer, endian, maxBodyLength);
        Assert.That(buffer.Length, Is.Zero, "bytes left over after the last whole frame");
        return frames;
    }
}
