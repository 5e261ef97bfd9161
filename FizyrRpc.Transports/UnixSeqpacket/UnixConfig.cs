namespace FizyrRpc.Transports;

/// <summary>Limits and byte order of the Unix seqpacket transport. The defaults are the reference's.</summary>
public sealed class UnixConfig
{
    /// <summary>The reference's default body limit on seqpacket sockets: 4 KiB.</summary>
    public const int DefaultMaxBodyLength = 4 * 1024;

    /// <summary>The reference's default descriptor limit per message: 10.</summary>
    public const int DefaultMaxFileDescriptors = 10;

    /// <summary>The most descriptors one message can carry on Linux (SCM_MAX_FD).</summary>
    public const int SystemMaxFileDescriptors = 253;

    /// <summary>A new instance with the defaults (each call makes its own, so changing one changes nothing else).</summary>
    public static UnixConfig Default => new();

    /// <summary>The largest body accepted; a larger datagram is dropped and reported, the socket stays usable.</summary>
    public int MaxBodyLengthRead { get; set; } = DefaultMaxBodyLength;

    /// <summary>The largest body we send; a larger message is refused before anything is sent.</summary>
    public int MaxBodyLengthWrite { get; set; } = DefaultMaxBodyLength;

    /// <summary>The most descriptors accepted with one message; more is a protocol error for that message (all are closed).</summary>
    public int MaxFileDescriptorsRead { get; set; } = DefaultMaxFileDescriptors;

    /// <summary>The most descriptors we send with one message; more is refused before anything is sent.</summary>
    public int MaxFileDescriptorsWrite { get; set; } = DefaultMaxFileDescriptors;

    /// <summary>The byte order of the header (default native, as the reference).</summary>
    public Endian Endian { get; set; } = Endian.Native;

    /// <summary>A validated copy, which later changes to this instance do not reach (a listener keeps one).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    internal UnixConfig Snapshot()
    {
        var copy = (UnixConfig)MemberwiseClone();
        copy.Validate();
        return copy;
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyLengthRead);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyLengthWrite);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxFileDescriptorsRead);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxFileDescriptorsWrite);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFileDescriptorsRead, SystemMaxFileDescriptors);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFileDescriptorsWrite, SystemMaxFileDescriptors);
        if (!Enum.IsDefined(Endian))
            throw new ArgumentOutOfRangeException(nameof(Endian), Endian, "Unknown byte order.");
    }
}
