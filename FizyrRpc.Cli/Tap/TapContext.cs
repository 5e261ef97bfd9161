namespace FizyrRpc.Cli.Tap;

/// <summary>What every relay of one tap shares: the log, the capture, and the framing settings.</summary>
/// <param name="Log">Where messages are printed.</param>
/// <param name="Pcap">The capture, if <c>--pcap</c> was given.</param>
/// <param name="Endian">The byte order of the frames.</param>
/// <param name="MaxBodyLength">The largest body decoded (a larger frame stops decoding on a byte stream; relaying goes on).</param>
internal sealed record TapContext(TapLog Log, PcapWriter? Pcap, Endian Endian, int MaxBodyLength);
