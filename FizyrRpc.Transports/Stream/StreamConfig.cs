using System.Buffers;

namespace FizyrRpc.Transports;

/// <summary>Limits and byte order of a byte-stream transport (TCP, Unix stream). The defaults are the reference's.</summary>
public sealed class StreamConfig
{
    /// <summary>The reference's default body limit on byte streams: 8 KiB.</summary>
    public const int DefaultMaxBodyLength = 8 * 1024;

    /// <summary>A new instance with the defaults (each call makes its own, so changing one changes nothing else).</summary>
    public static StreamConfig Default => new();

    /// <summary>The largest body accepted from the remote; a larger frame is a protocol error that closes the connection.</summary>
    public int MaxBodyLengthRead { get; set; } = DefaultMaxBodyLength;

    /// <summary>The largest body we send; a larger message is refused before any byte of it is written.</summary>
    public int MaxBodyLengthWrite { get; set; } = DefaultMaxBodyLength;

    /// <summary>The byte order of the length prefix and the header (default little endian, as the reference).</summary>
    public Endian Endian { get; set; } = Endian.Little;

    /// <summary>
    /// Where received bodies of 64 KiB or more get their arrays (default null: each is a new array, which the garbage
    /// collector reclaims). With a pool (e.g. <see cref="ArrayPool{T}.Shared"/>), such a body is rented
    /// (<see cref="StreamBody.Rent"/>): disposing it, or sending it on, returns the array, and its bytes must not be
    /// touched after that. Fresh large arrays cost the kernel a page fault per page on first touch; a pool reuses pages
    /// that are already mapped, which is most of the difference at camera-frame sizes.
    /// </summary>
    public ArrayPool<byte>? LargeBodyPool { get; set; }

    /// <summary>A validated copy, which later changes to this instance do not reach (a listener keeps one).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    internal StreamConfig Snapshot()
    {
        var copy = (StreamConfig)MemberwiseClone();
        copy.Validate();
        return copy;
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyLengthRead);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyLengthWrite);
        if (!Enum.IsDefined(Endian))
            throw new ArgumentOutOfRangeException(nameof(Endian), Endian, "Unknown byte order.");
    }
}
