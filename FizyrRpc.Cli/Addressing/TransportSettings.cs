using FizyrRpc.Transports;

namespace FizyrRpc.Cli.Addressing;

/// <summary>The byte order and body limits every command takes; null means the transport's default for the tool.</summary>
/// <param name="Endian">The byte order of the header (and the length prefix); null: little on byte streams, native on seqpacket.</param>
/// <param name="MaxBodyRead">The largest body accepted; null: <see cref="DefaultStreamMaxBody"/> or <see cref="DefaultSeqpacketMaxBody"/>.</param>
/// <param name="MaxBodyWrite">The largest body sent; null: as <paramref name="MaxBodyRead"/>'s default.</param>
internal sealed record TransportSettings(Endian? Endian, int? MaxBodyRead, int? MaxBodyWrite)
{
    /// <summary>
    /// The tool's default limit on byte streams: 16 MiB, not the reference's 8 KiB, since a debugging tool should show
    /// what a server sends rather than drop the connection over it. The options lower it to test a server's limits.
    /// </summary>
    public const int DefaultStreamMaxBody = 16 * 1024 * 1024;

    /// <summary>The tool's default limit on seqpacket sockets: 128 KiB, which fits the default socket buffers.</summary>
    public const int DefaultSeqpacketMaxBody = 128 * 1024;

    /// <summary>The settings of a byte-stream transport.</summary>
    public StreamConfig CreateStreamConfig() => new()
    {
        Endian = Endian ?? FizyrRpc.Endian.Little,
        MaxBodyLengthRead = MaxBodyRead ?? DefaultStreamMaxBody,
        MaxBodyLengthWrite = MaxBodyWrite ?? DefaultStreamMaxBody,
    };

    /// <summary>The settings of the seqpacket transport.</summary>
    public UnixConfig CreateUnixConfig() => new()
    {
        Endian = Endian ?? FizyrRpc.Endian.Native,
        MaxBodyLengthRead = MaxBodyRead ?? DefaultSeqpacketMaxBody,
        MaxBodyLengthWrite = MaxBodyWrite ?? DefaultSeqpacketMaxBody,
    };

    /// <summary>The byte order in effect on <paramref name="address"/>'s transport.</summary>
    public Endian EndianFor(RpcAddress address) => Endian ?? (address.IsByteStream ? FizyrRpc.Endian.Little : FizyrRpc.Endian.Native);

    /// <summary>The read limit in effect on <paramref name="address"/>'s transport.</summary>
    public int MaxBodyReadFor(RpcAddress address) => MaxBodyRead ?? (address.IsByteStream ? DefaultStreamMaxBody : DefaultSeqpacketMaxBody);
}
