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
    /// Where received bodies of 64 KiB or more get their arrays (default null: each has an array of its own, which the
    /// garbage collector reclaims; a generated server gives a request's array back for reuse once the request is
    /// answered, unless its handler took the raw request or a <c>ReadOnlyMemory&lt;byte&gt;</c> body). With a pool (e.g. <see cref="ArrayPool{T}.Shared"/>), such a body is rented
    /// (<see cref="StreamBody.Rent"/>): disposing it, or sending it on, returns the array, and its bytes must not be
    /// touched after that. Fresh large arrays cost the kernel a page fault per page on first touch; a pool reuses pages
    /// that are already mapped, which is most of the difference at camera-frame sizes.
    /// </summary>
    public ArrayPool<byte>? LargeBodyPool { get; set; }

    /// <summary>
    /// How long a frame may take to arrive once its first byte has (default 10 s: Kestrel gives request headers of up to
    /// 32 KiB 30 s, our header is 16 bytes), pushed back for a large body by one second per
    /// <see cref="MinFrameDataRate"/> bytes received, so an honest sender of a large body is held to a rate, not a time. A frame
    /// that does not make it (a slow header, a trickled body) closes the connection with
    /// <see cref="CloseReason.FrameTimeout"/>. <see cref="Timeout.InfiniteTimeSpan"/> turns it off. Between frames
    /// nothing is timed here: see <see cref="PeerOptions.IdleTimeout"/>.
    /// </summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The data rate, in bytes per second, that keeps extending a frame's <see cref="FrameTimeout"/> as its body arrives
    /// (default 240, as Kestrel's minimum request body data rate; 0: the frame timeout alone, whatever the size).
    /// A remote that sends faster never hits the timeout, however large the body.
    /// </summary>
    public int MinFrameDataRate { get; set; } = 240;

    /// <summary>
    /// Whether TCP keep-alive is on for connections made and accepted over TCP (default true), so a remote that
    /// vanished (a pulled cable, a powered-off host) is noticed: after <see cref="KeepAliveIdle"/> with nothing received,
    /// a probe every <see cref="KeepAliveInterval"/>, and the connection fails after <see cref="KeepAliveCount"/>
    /// unanswered probes (about 2 minutes with the defaults). Unix sockets have no keep-alive.
    /// </summary>
    public bool KeepAlive { get; set; } = true;

    /// <summary>How long a TCP connection may receive nothing before keep-alive probes start (default 60 s; whole seconds).</summary>
    public TimeSpan KeepAliveIdle { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The time between unanswered keep-alive probes (default 10 s; whole seconds).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many unanswered keep-alive probes fail the connection (default 6).</summary>
    public int KeepAliveCount { get; set; } = 6;

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
        if (FrameTimeout <= TimeSpan.Zero && FrameTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(FrameTimeout), FrameTimeout, "Must be positive, or infinite.");
        ArgumentOutOfRangeException.ThrowIfNegative(MinFrameDataRate);
        if (KeepAliveIdle < TimeSpan.FromSeconds(1) || KeepAliveIdle.TotalSeconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(KeepAliveIdle), KeepAliveIdle, "Must be at least 1 s.");
        if (KeepAliveInterval < TimeSpan.FromSeconds(1) || KeepAliveInterval.TotalSeconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), KeepAliveInterval, "Must be at least 1 s.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(KeepAliveCount);
    }
}
