using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FizyrRpc.Cli.Tap;

/// <summary>
/// Writes a classic pcap file (microsecond timestamps, Ethernet link type) in which each tapped connection is a TCP
/// conversation: a SYN / SYN-ACK / ACK handshake, the bytes of each direction as data segments with continuous
/// sequence numbers, and FIN / ACK at the end. Wireshark and tshark reassemble it like a real capture, so a dissector
/// registered on the server's TCP port decodes it. Writes are serialized and flushed per packet, so the file is
/// readable while the tap runs and complete after a kill.
/// </summary>
internal sealed class PcapWriter : IDisposable
{
    private const uint MagicMicroseconds = 0xa1b2c3d4;
    private const uint LinkTypeEthernet = 1;
    private const int SnapLength = 262_144;
    private const int EthernetHeaderSize = 14;
    private const int IPv4HeaderSize = 20;
    private const int TcpHeaderSize = 20;

    /// <summary>The most data one synthesized segment carries (an IPv4 packet is at most 65,535 bytes).</summary>
    public const int MaxSegmentData = 65_000;

    private readonly FileStream _file;
    private readonly Lock _lock = new();
    private readonly byte[] _packet = new byte[16 + EthernetHeaderSize + IPv4HeaderSize + TcpHeaderSize + MaxSegmentData];
    private ushort _ipId;

    /// <summary>Creates (or replaces) the file at <paramref name="path"/> and writes the pcap header.</summary>
    public PcapWriter(string path)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], SnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        _file.Write(header);
        _file.Flush();
    }

    /// <summary>Starts a TCP conversation between <paramref name="client"/> and <paramref name="server"/> with a handshake.</summary>
    public PcapConversation Open(IPEndPoint client, IPEndPoint server, DateTimeOffset time)
    {
        var conversation = new PcapConversation(this, ToIPv4(client), ToIPv4(server));
        conversation.Handshake(time);
        return conversation;
    }

    /// <summary>IPv4 as the synthesized packets carry it (an IPv6 endpoint becomes loopback with the same port).</summary>
    private static IPEndPoint ToIPv4(IPEndPoint endPoint)
    {
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
            return endPoint;
        return new IPEndPoint(endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : IPAddress.Loopback, endPoint.Port);
    }

    /// <summary>Writes one TCP segment as an Ethernet + IPv4 + TCP packet.</summary>
    internal void WriteSegment(
        bool fromClient, IPEndPoint source, IPEndPoint destination, uint sequence, uint acknowledgement, byte flags, ReadOnlySpan<byte> data, DateTimeOffset time)
    {
        lock (_lock)
        {
            var ipLength = IPv4HeaderSize + TcpHeaderSize + data.Length;
            var frameLength = EthernetHeaderSize + ipLength;
            var packet = _packet.AsSpan(0, 16 + frameLength);

            // Record header: seconds, microseconds, captured length, original length.
            var microseconds = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
            BinaryPrimitives.WriteUInt32LittleEndian(packet, (uint)(microseconds / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(packet[4..], (uint)(microseconds % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(packet[8..], (uint)frameLength);
            BinaryPrimitives.WriteUInt32LittleEndian(packet[12..], (uint)frameLength);

            // Ethernet: locally administered addresses that tell the two sides apart, IPv4.
            var ethernet = packet[16..];
            var fromServer = !fromClient;
            ethernet[..6].Fill(0);
            ethernet[0] = 0x02;
            ethernet[5] = (byte)(fromServer ? 1 : 2);
            ethernet[6..12].Fill(0);
            ethernet[6] = 0x02;
            ethernet[11] = (byte)(fromServer ? 2 : 1);
            BinaryPrimitives.WriteUInt16BigEndian(ethernet[12..], 0x0800);

            // IPv4: no options, don't fragment, TTL 64, TCP.
            var ip = ethernet[EthernetHeaderSize..];
            ip[0] = 0x45;
            ip[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], _ipId++);
            BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000);
            ip[8] = 64;
            ip[9] = (byte)ProtocolType.Tcp;
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
            source.Address.TryWriteBytes(ip[12..16], out _);
            destination.Address.TryWriteBytes(ip[16..20], out _);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..IPv4HeaderSize], 0));

            // TCP: no options, a fixed window.
            var tcp = ip[IPv4HeaderSize..];
            BinaryPrimitives.WriteUInt16BigEndian(tcp, (ushort)source.Port);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], (ushort)destination.Port);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], acknowledgement);
            tcp[12] = TcpHeaderSize / 4 << 4;
            tcp[13] = flags;
            BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[18..], 0);
            data.CopyTo(tcp[TcpHeaderSize..]);
            var tcpLength = TcpHeaderSize + data.Length;
            // The pseudo-header: source, destination, protocol, TCP length.
            uint pseudo = 0;
            for (var i = 12; i < 20; i += 2)
                pseudo += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
            pseudo += (uint)ProtocolType.Tcp + (uint)tcpLength;
            BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum(tcp[..tcpLength], pseudo));

            _file.Write(packet);
            _file.Flush();
        }
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/>, starting from <paramref name="sum"/>.</summary>
    private static ushort Checksum(ReadOnlySpan<byte> data, uint sum)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length)
            sum += (uint)data[i] << 8;
        while (sum >> 16 != 0)
            sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
            _file.Dispose();
    }
}

/// <summary>One tapped connection as a TCP conversation in the capture: it keeps both sides' sequence numbers.</summary>
internal sealed class PcapConversation
{
    private const byte Fin = 0x01;
    private const byte Syn = 0x02;
    private const byte Push = 0x08;
    private const byte Ack = 0x10;

    private readonly PcapWriter _writer;
    private readonly IPEndPoint _client;
    private readonly IPEndPoint _server;
    private readonly Lock _lock = new();
    private uint _clientNext = 0x1000_0000;   // the client's next sequence number
    private uint _serverNext = 0x2000_0000;   // the server's
    private bool _clientFinished;
    private bool _serverFinished;

    internal PcapConversation(PcapWriter writer, IPEndPoint client, IPEndPoint server)
    {
        _writer = writer;
        _client = client;
        _server = server;
    }

    internal void Handshake(DateTimeOffset time)
    {
        lock (_lock)
        {
            _writer.WriteSegment(true, _client, _server, _clientNext++, 0, Syn, [], time);
            _writer.WriteSegment(false, _server, _client, _serverNext++, _clientNext, Syn | Ack, [], time);
            _writer.WriteSegment(true, _client, _server, _clientNext, _serverNext, Ack, [], time);
        }
    }

    /// <summary>Bytes one side sent, as data segments of at most <see cref="PcapWriter.MaxSegmentData"/> bytes.</summary>
    public void Data(bool fromClient, ReadOnlySpan<byte> data, DateTimeOffset time)
    {
        lock (_lock)
        {
            while (!data.IsEmpty)
            {
                var segment = data[..Math.Min(data.Length, PcapWriter.MaxSegmentData)];
                if (fromClient)
                {
                    _writer.WriteSegment(true, _client, _server, _clientNext, _serverNext, Push | Ack, segment, time);
                    _clientNext += (uint)segment.Length;
                }
                else
                {
                    _writer.WriteSegment(false, _server, _client, _serverNext, _clientNext, Push | Ack, segment, time);
                    _serverNext += (uint)segment.Length;
                }

                data = data[segment.Length..];
            }
        }
    }

    /// <summary>One side closed its direction: a FIN from it and the other side's ACK.</summary>
    public void Finish(bool fromClient, DateTimeOffset time)
    {
        lock (_lock)
        {
            if (fromClient ? _clientFinished : _serverFinished)
                return;
            if (fromClient)
            {
                _clientFinished = true;
                _writer.WriteSegment(true, _client, _server, _clientNext++, _serverNext, Fin | Ack, [], time);
                _writer.WriteSegment(false, _server, _client, _serverNext, _clientNext, Ack, [], time);
            }
            else
            {
                _serverFinished = true;
                _writer.WriteSegment(false, _server, _client, _serverNext++, _clientNext, Fin | Ack, [], time);
                _writer.WriteSegment(true, _client, _server, _clientNext, _serverNext, Ack, [], time);
            }
        }
    }
}
