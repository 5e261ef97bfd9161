namespace FizyrRpc.Transports;

/// <summary>Limits and byte order of a byte-stream transport (TCP, Unix stream). The defaults are the reference's.</summary>
public sealed class StreamConfig
{
    /// <summary>The reference's default body limit on byte streams: 8 KiB.</summary>
    public const int DefaultMaxBodyLength = 8 * 1024;

    /// <summary>The defaults.</summary>
    public static StreamConfig Default { get; } = new();

    /// <summary>The largest body accepted from the remote; a larger frame is a protocol error that closes the connection.</summary>
    public int MaxBodyLengthRead { get; set; } = DefaultMaxBodyLength;

    /// <summary>The largest body we send; a larger message is refused before any byte of it is written.</summary>
    public int MaxBodyLengthWrite { get; set; } = DefaultMaxBodyLength;

    /// <summary>The byte order of the length prefix and the header (default little endian, as the reference).</summary>
    public Endian Endian { get; set; } = Endian.Little;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyLengthRead);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBodyLengthWrite);
        if (!Enum.IsDefined(Endian))
            throw new ArgumentOutOfRangeException(nameof(Endian), Endian, "Unknown byte order.");
    }
}
