using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;
using FizyrRpc.Samples.Conformance;

namespace FizyrRpc.Tests.Cli;

/// <summary>
/// <c>fizyr-rpc tap</c>, installed as a user installs the tool: the library as a client, through the tap, to the
/// conformance server over TCP, Unix stream and Unix seqpacket. The client gets the server's answers unchanged, the tap
/// prints every message both ways, and its pcap holds each direction's bytes exactly, as one TCP conversation with a
/// handshake and continuous sequence numbers (read here, and by tshark when it is installed).
/// </summary>
public partial class CliTapTests
{
    public static IEnumerable<EndpointKind> AllKinds => CliCallTests.AllKinds;

    [TestCaseSource(nameof(AllKinds))]
    public async Task TapRelaysPrintsAndCapturesEveryMessage(EndpointKind kind)
    {
        var (server, result, pcap, client) = await RunThroughTapAsync(kind);
        await using (server)
        {
            Assert.That(client.Answers, Is.EqualTo(new[] { "response 0 hello", "update 1 update 0", "update 1 update 1", "update 1 update 2", "response 0 done", "response -1 failed to process request" }));
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            var ids = client.RequestIds;
            var lines = result.Lines.Skip(1).Select(line => TimePrefix().Replace(ElapsedPart().Replace(line, " +ELAPSED "), "")).ToArray();
            Assert.That(lines, Is.EqualTo(new[]
            {
                $"#1 connected {(kind == EndpointKind.Tcp ? "127.0.0.1:" + client.LocalPort : "client")} -> {server.Address}",
                $"#1 C->S request id={ids[0]} service=1 hello",
                $"#1 S->C response id={ids[0]} service=0 +ELAPSED hello",
                $"#1 C->S request id={ids[1]} service=2 ",
                $"#1 S->C responder-update id={ids[1]} service=1 update 0",
                $"#1 S->C responder-update id={ids[1]} service=1 update 1",
                $"#1 S->C responder-update id={ids[1]} service=1 update 2",
                $"#1 S->C response id={ids[1]} service=0 +ELAPSED done",
                $"#1 C->S request id={ids[2]} service=3 ",
                $"#1 S->C error id={ids[2]} service=-1 +ELAPSED failed to process request",
                "#1 closed both sides closed",
            }), string.Join('\n', result.Lines));

            var capture = PcapReader.Read(pcap);
            Assert.That(capture.ClientToServer, Is.EqualTo(ExpectedClientBytes(ids)), "the client's bytes, reassembled from the capture");
            Assert.That(capture.ServerToClient, Is.EqualTo(ExpectedServerBytes(ids)), "the server's bytes, reassembled from the capture");
            Assert.That(capture.ServerPort, Is.EqualTo(kind == EndpointKind.Tcp ? int.Parse(server.Target.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) : 1337));
            if (kind == EndpointKind.Tcp)
                Assert.That(capture.ClientPort, Is.EqualTo(client.LocalPort));
        }
    }

    [Test]
    public async Task TsharkReassemblesTheCapturedConversation()
    {
        if (!File.Exists("/usr/bin/tshark"))
            Assert.Ignore("tshark is not installed (.ci/run installs it).");
        var (server, _, pcap, client) = await RunThroughTapAsync(EndpointKind.Tcp);
        await using (server)
        {
            var start = new ProcessStartInfo("tshark", ["-r", pcap, "-q", "-z", "follow,tcp,raw,0"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var tshark = Process.Start(start)!;
            var output = await tshark.StandardOutput.ReadToEndAsync().WaitAsync(CliTool.RunTimeout);
            await tshark.WaitForExitAsync().WaitAsync(CliTool.RunTimeout);
            Assert.That(tshark.ExitCode, Is.Zero);

            // follow,tcp,raw prints each segment's bytes as hex, the second node's (the server's) indented by a tab.
            var data = output.Split('\n').SkipWhile(line => !line.StartsWith("Node 1:", StringComparison.Ordinal)).Skip(1).TakeWhile(line => !line.StartsWith("===", StringComparison.Ordinal)).ToList();
            var fromClient = Convert.FromHexString(string.Concat(data.Where(line => !line.StartsWith('\t')).Select(line => line.Trim())));
            var fromServer = Convert.FromHexString(string.Concat(data.Where(line => line.StartsWith('\t')).Select(line => line.Trim())));
            Assert.That(fromClient, Is.EqualTo(ExpectedClientBytes(client.RequestIds)), output);
            Assert.That(fromServer, Is.EqualTo(ExpectedServerBytes(client.RequestIds)), output);
        }
    }

    private static async Task<(CliServer Server, CliResult Result, string Pcap, Client Client)> RunThroughTapAsync(EndpointKind kind)
    {
        var server = await CliServer.StartAsync(kind);
        try
        {
            var pcap = server.FilePath("tap.pcap");
            await using var tap = await CliTool.StartAsync("tap", "--listen", server.FreeAddress("tap.sock"), "--to", server.Address, "--pcap", pcap);
            var address = await tap.ListeningAddressAsync();
            var client = new Client();
            await CliServer.ConnectAsync(address, client);
            while (!(await tap.NextLineAsync()).Contains("#1 closed", StringComparison.Ordinal))
            {
                // Every line is checked from the whole run below; this waits until the connection's end is printed.
            }

            return (server, await tap.StopAsync(), pcap, client);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static byte[] Frames(params (MessageHeader Header, string Body)[] messages)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var (header, body) in messages)
            StreamFraming.WriteFrame(buffer, header, System.Text.Encoding.UTF8.GetBytes(body), Endian.Little);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] ExpectedClientBytes(uint[] ids) => Frames(
        (MessageHeader.Request(ids[0], 1), "hello"),
        (MessageHeader.Request(ids[1], 2), ""),
        (MessageHeader.Request(ids[2], 3), ""));

    private static byte[] ExpectedServerBytes(uint[] ids) => Frames(
        (MessageHeader.Response(ids[0], 0), "hello"),
        (MessageHeader.ResponderUpdate(ids[1], 1), "update 0"),
        (MessageHeader.ResponderUpdate(ids[1], 1), "update 1"),
        (MessageHeader.ResponderUpdate(ids[1], 1), "update 2"),
        (MessageHeader.Response(ids[1], 0), "done"),
        (MessageHeader.ErrorResponse(ids[2]), "failed to process request"));

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{6} ")]
    private static partial Regex TimePrefix();

    [GeneratedRegex(@" \+\d+\.\d{3}ms ")]
    private static partial Regex ElapsedPart();

    /// <summary>Echo "hello" (service 1), progress (2) and fail (3), one after the other, on one connection.</summary>
    private sealed class Client : CliServer.IClient
    {
        public List<string> Answers { get; } = [];

        public uint[] RequestIds { get; } = new uint[3];

        public int LocalPort { get; private set; }

        public async Task RunAsync<TBody>(PeerHandle<TBody> peer)
            where TBody : IMessageBody<TBody>
        {
            if (peer.ConnectionInfo is FizyrRpc.Transports.TcpConnectionInfo tcp)
                LocalPort = tcp.LocalEndPoint.Port;
            (int Service, string Body)[] calls = [(1, "hello"), (2, ""), (3, "")];
            for (var i = 0; i < calls.Length; i++)
            {
                using var request = await peer.SendRequestAsync(calls[i].Service, TBody.FromBytes(System.Text.Encoding.UTF8.GetBytes(calls[i].Body)));
                RequestIds[i] = request.RequestId;
                while (await request.ReceiveUpdateAsync().AsTask().WaitAsync(CliTool.RunTimeout) is { } update)
                {
                    using (update.Body)
                        Answers.Add($"update {update.ServiceId} {System.Text.Encoding.UTF8.GetString(update.Body.Data.Span)}");
                }

                var response = await request.ReceiveResponseAsync().AsTask().WaitAsync(CliTool.RunTimeout);
                using (response.Body)
                    Answers.Add($"response {response.ServiceId} {System.Text.Encoding.UTF8.GetString(response.Body.Data.Span)}");
            }
        }
    }

    /// <summary>
    /// Reads the one TCP conversation of a classic pcap file with Ethernet + IPv4 + TCP packets, checking the handshake
    /// and that each direction's sequence numbers are continuous, and reassembles each direction's bytes.
    /// </summary>
    private sealed record PcapReader(byte[] ClientToServer, byte[] ServerToClient, int ClientPort, int ServerPort)
    {
        public static PcapReader Read(string path)
        {
            var file = File.ReadAllBytes(path);
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(file), Is.EqualTo(0xa1b2c3d4u), "pcap magic (microseconds, little endian)");
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(20)), Is.EqualTo(1u), "link type Ethernet");
            var streams = new Dictionary<(int From, int To), MemoryStream>();
            var next = new Dictionary<(int From, int To), uint>();
            int? clientPort = null, serverPort = null;
            var offset = 24;
            var packets = 0;
            while (offset < file.Length)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 8));
                var frame = file.AsSpan(offset + 16, length);
                offset += 16 + length;
                Assert.That(BinaryPrimitives.ReadUInt16BigEndian(frame[12..]), Is.EqualTo(0x0800), "IPv4");
                var ip = frame[14..];
                Assert.That(ip[9], Is.EqualTo(6), "TCP");
                var ipLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
                var tcp = ip[((ip[0] & 0xf) * 4)..ipLength];
                var from = BinaryPrimitives.ReadUInt16BigEndian(tcp);
                var to = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]);
                var sequence = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]);
                var flags = tcp[13];
                var payload = tcp[((tcp[12] >> 4) * 4)..];
                if (packets++ == 0)
                {
                    Assert.That(flags, Is.EqualTo(0x02), "the conversation starts with the client's SYN");
                    (clientPort, serverPort) = (from, to);
                }

                var key = (from, to);
                if ((flags & 0x02) != 0)
                {
                    next[key] = sequence + 1;
                    streams[key] = new MemoryStream();
                    continue;
                }

                Assert.That(next.ContainsKey(key), $"a segment {from} -> {to} before that side's SYN");
                Assert.That(sequence, Is.EqualTo(next[key]), $"continuous sequence numbers {from} -> {to}");
                streams[key].Write(payload);
                next[key] = sequence + (uint)payload.Length + ((flags & 0x01) != 0 ? 1u : 0u);
            }

            Assert.That(streams.Keys, Has.Count.EqualTo(2), "one conversation");
            return new PcapReader(
                streams[(clientPort!.Value, serverPort!.Value)].ToArray(),
                streams[(serverPort.Value, clientPort.Value)].ToArray(),
                clientPort.Value,
                serverPort.Value);
        }
    }
}
