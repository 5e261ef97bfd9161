using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FizyrRpc.Samples.Conformance;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Cli;

/// <summary>
/// <c>fizyr-rpc call</c> and <c>stream</c>, installed as a user installs the tool, against the conformance server over
/// TCP, Unix stream and Unix seqpacket: the printed lines and the exit codes (0 success, 1 error response, 2 usage, 3
/// cannot connect or connection lost, 4 timeout).
/// </summary>
public class CliCallTests
{
    public static IEnumerable<EndpointKind> AllKinds => [EndpointKind.Tcp, EndpointKind.UnixStream, EndpointKind.UnixSeqpacket];

    [TestCaseSource(nameof(AllKinds))]
    public async Task CallPrintsTheResponseAndExits0(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);

        var result = await CliTool.RunAsync("call", server.Address, "1", "--text", "hello");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Lines, Is.EqualTo(new[] { "response 0 hello" }));
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task CallPrintsEveryResponderUpdateBeforeTheResponse(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);

        var result = await CliTool.RunAsync("call", server.Address, "2");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Lines, Is.EqualTo(new[] { "update 1 update 0", "update 1 update 1", "update 1 update 2", "response 0 done" }));
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task AnErrorResponseIsPrintedAndExits1(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);

        var fail = await CliTool.RunAsync("call", server.Address, "3");
        var unknown = await CliTool.RunAsync("call", server.Address, "42");

        Assert.That(fail.ExitCode, Is.EqualTo(1), fail.ToString());
        Assert.That(fail.Lines, Is.EqualTo(new[] { "error failed to process request" }));
        Assert.That(unknown.ExitCode, Is.EqualTo(1), unknown.ToString());
        Assert.That(unknown.Lines, Is.EqualTo(new[] { "error unknown service 42" }));
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task RequesterUpdatesAreSentInOrder(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);

        // The chat service echoes each requester update; update 99 ends it with "bye".
        var result = await CliTool.RunAsync("call", server.Address, "4", "--update", "5:hi", "--update", "6:there", "--update", "99:end");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Lines, Is.EqualTo(new[] { "update 5 hi", "update 6 there", "response 0 bye" }));
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task ABinaryBodyIsSentFromHexAndShownAsHex(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);

        // The big service answers N bytes, byte i = i % 251, for a little-endian u32 N.
        var result = await CliTool.RunAsync("call", server.Address, "5", "--hex", "0x20 00 00 00");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Lines, Is.EqualTo(new[] { "response 0 0x" + Convert.ToHexStringLower([.. Enumerable.Range(0, 32).Select(i => (byte)i)]) }));
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task JsonPrintsOneObjectPerMessage(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);

        var progress = await CliTool.RunAsync("call", server.Address, "2", "--json");
        var fail = await CliTool.RunAsync("call", server.Address, "3", "--json");
        var binary = await CliTool.RunAsync("call", server.Address, "1", "--hex", "00ff", "--json");

        Assert.That(progress.ExitCode, Is.Zero, progress.ToString());
        var objects = progress.Lines.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.That(objects.Select(o => o.GetProperty("type").GetString()), Is.EqualTo(new[] { "update", "update", "update", "response" }));
        Assert.That(objects.Select(o => o.GetProperty("request_id").GetUInt32()), Is.All.EqualTo(0));
        Assert.That(objects.Select(o => o.GetProperty("service_id").GetInt32()), Is.EqualTo(new[] { 1, 1, 1, 0 }));
        Assert.That(objects.Select(o => o.GetProperty("body_text").GetString()), Is.EqualTo(new[] { "update 0", "update 1", "update 2", "done" }));

        Assert.That(fail.ExitCode, Is.EqualTo(1), fail.ToString());
        var error = JsonDocument.Parse(fail.Lines.Single()).RootElement;
        Assert.That(error.GetProperty("type").GetString(), Is.EqualTo("error"));
        Assert.That(error.GetProperty("service_id").GetInt32(), Is.EqualTo(-1));
        Assert.That(error.GetProperty("body_text").GetString(), Is.EqualTo("failed to process request"));

        var response = JsonDocument.Parse(binary.Lines.Single()).RootElement;
        Assert.That(response.GetProperty("body_hex").GetString(), Is.EqualTo("00ff"));
        Assert.That(response.TryGetProperty("body_text", out _), Is.False);
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task MessagePackBodiesAreShownAsJson(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);
        // {"name": "cam", "frames": [1, 2]} in MessagePack: the echo service sends it back.
        var body = MessagePack.MessagePackSerializer.ConvertFromJson("""{"name":"cam","frames":[1,2]}""");

        var text = await CliTool.RunAsync("call", server.Address, "1", "--hex", Convert.ToHexString(body), "--format", "msgpack");
        var json = await CliTool.RunAsync("call", server.Address, "1", "--hex", Convert.ToHexString(body), "--format", "msgpack", "--json");

        Assert.That(text.Lines, Is.EqualTo(new[] { """response 0 {"name":"cam","frames":[1,2]}""" }), text.ToString());
        var decoded = JsonDocument.Parse(json.Lines.Single()).RootElement.GetProperty("body");
        Assert.That(decoded.GetProperty("frames")[1].GetInt32(), Is.EqualTo(2));
        Assert.That(JsonDocument.Parse(json.Lines.Single()).RootElement.GetProperty("body_hex").GetString(), Is.EqualTo(Convert.ToHexStringLower(body)));

        // A body that is not MessagePack (a truncated map, then text) is shown as it is.
        var truncated = await CliTool.RunAsync("call", server.Address, "1", "--hex", Convert.ToHexString(body[..5]), "--format", "msgpack");
        var plain = await CliTool.RunAsync("call", server.Address, "1", "--text", "not json", "--format", "json");
        Assert.That(truncated.Lines, Is.EqualTo(new[] { "response 0 0x" + Convert.ToHexStringLower(body[..5]) }), truncated.ToString());
        Assert.That(plain.Lines, Is.EqualTo(new[] { "response 0 not json" }), plain.ToString());
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task StreamSendsOneStreamMessage(EndpointKind kind)
    {
        // A library listener of the transport receives what the tool sends.
        await using var server = await CliServer.StartAsync(kind);
        var address = server.FreeAddress("stream.sock");
        await using var listener = await ListenerAsync(kind, address);

        var run = CliTool.RunAsync("stream", listener.Address, "9", "--text", "ping");
        var (type, serviceId, body) = await listener.ReceiveAsync();
        var result = await run;

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Lines, Is.Empty);
        Assert.That((type, serviceId, body), Is.EqualTo((MessageType.Stream, 9, "ping")));
    }

    [Test]
    public async Task UsageErrorsExit2WithAMessage()
    {
        string[][] cases =
        [
            ["call", "localhost:1", "1"],
            ["call", "tcp://127.0.0.1:1"],
            ["call", "tcp://127.0.0.1:1", "one"],
            ["call", "tcp://127.0.0.1:1", "1", "--text", "a", "--hex", "00"],
            ["call", "tcp://127.0.0.1:1", "1", "--hex", "abc"],
            ["call", "tcp://127.0.0.1:1", "1", "--update", "nocolon"],
            ["call", "tcp://127.0.0.1:1", "1", "--endian", "middle"],
            ["bench", "tcp://127.0.0.1:1", "--requests", "0"],
            ["tap", "--listen", "tcp://127.0.0.1:0", "--to", "unix-seqpacket:/x"],
            ["frobnicate"],
        ];
        foreach (var args in cases)
        {
            var result = await CliTool.RunAsync(args);
            Assert.That(result.ExitCode, Is.EqualTo(2), string.Join(' ', args) + "\n" + result);
            Assert.That(result.Error, Does.Contain("--help"), string.Join(' ', args));
        }
    }

    [Test]
    public async Task HelpListsEveryCommand()
    {
        var result = await CliTool.RunAsync("--help");

        Assert.That(result.ExitCode, Is.Zero);
        foreach (var command in new[] { "call", "stream", "listen", "tap", "bench" })
            Assert.That(result.Lines, Has.Some.Match($@"^\s+{command}\b"), command);
    }

    [Test]
    public async Task NoServerExits3()
    {
        using var folder = TempFolder.Create();
        var closedPort = FreePort();

        var tcp = await CliTool.RunAsync("call", $"tcp://127.0.0.1:{closedPort}", "1");
        var unix = await CliTool.RunAsync("call", "unix:" + folder.SocketPath, "1");

        Assert.That(tcp.ExitCode, Is.EqualTo(3), tcp.ToString());
        Assert.That(tcp.Error, Does.Contain("cannot connect to tcp://127.0.0.1:"));
        Assert.That(unix.ExitCode, Is.EqualTo(3), unix.ToString());
        Assert.That(tcp.Lines, Is.Empty);
    }

    [Test]
    public async Task AConnectionLostBeforeTheResponseExits3()
    {
        // A server that reads the request and closes the connection without answering.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        var serve = Task.Run(async () =>
        {
            using var accepted = await socket.AcceptAsync();
            var buffer = new byte[StreamFraming.PrefixAndHeaderSize];
            for (var read = 0; read < buffer.Length;)
                read += await accepted.ReceiveAsync(buffer.AsMemory(read));
        });

        var result = await CliTool.RunAsync("call", $"tcp://{socket.LocalEndPoint}", "1");
        await serve.WaitAsync(Loopback.Timeout);

        Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
        Assert.That(result.Error, Does.Contain("lost"));
    }

    [Test]
    public async Task ATimeoutWithoutResponseExits4()
    {
        // A server that takes the request and never answers; the tool gives up after --timeout.
        await using var listener = await TcpPeer.BindAsync("127.0.0.1:0");
        var accept = listener.AcceptAsync().AsTask();

        var result = await CliTool.RunAsync("call", $"tcp://{listener.LocalEndPoint}", "1", "--timeout", "0.5");

        Assert.That(result.ExitCode, Is.EqualTo(4), result.ToString());
        Assert.That(result.Error, Does.Contain("no response within 0.5 s"));
        await using var peer = (await accept).Peer;
    }

    [Test]
    public async Task BigEndianIsSpokenWhenAsked()
    {
        await using var listener = await TcpPeer.BindAsync("127.0.0.1:0", new StreamConfig { Endian = Endian.Big });
        var serve = Task.Run(async () =>
        {
            var (peer, _) = await listener.AcceptAsync();
            await using (peer)
            {
                var message = await peer.ReceiveMessageAsync();
                await using var request = message.Request!;
                await request.SendResponseAsync(request.ServiceId + 1, "big"u8.ToArray());
                await peer.Completion.WaitAsync(Loopback.Timeout);
            }
        });

        var result = await CliTool.RunAsync("call", $"tcp://{listener.LocalEndPoint}", "258", "--endian", "big");
        await serve.WaitAsync(Loopback.Timeout);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Lines, Is.EqualTo(new[] { "response 259 big" }));
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task<OneMessageListener> ListenerAsync(EndpointKind kind, string address)
    {
        switch (kind)
        {
            case EndpointKind.Tcp:
            {
                var listener = await TcpPeer.BindAsync("127.0.0.1:0");
                return new OneMessageListener("tcp://" + listener.LocalEndPoint, listener, async () => await ReceiveOneAsync((await listener.AcceptAsync()).Peer));
            }
            case EndpointKind.UnixStream:
            {
                var listener = await UnixStreamPeer.BindAsync(address["unix:".Length..]);
                return new OneMessageListener(address, listener, async () => await ReceiveOneAsync((await listener.AcceptAsync()).Peer));
            }
            default:
            {
                var listener = await UnixSeqpacketPeer.BindAsync(address["unix-seqpacket:".Length..]);
                return new OneMessageListener(address, listener, async () => await ReceiveOneAsync((await listener.AcceptAsync()).Peer));
            }
        }
    }

    private static async Task<(MessageType, int, string)> ReceiveOneAsync<TBody>(PeerHandle<TBody> peer)
        where TBody : IMessageBody<TBody>
    {
        await using (peer)
        {
            var message = await peer.ReceiveMessageAsync().AsTask().WaitAsync(Loopback.Timeout);
            using var body = message.Message.Body;
            // The tool closes first: closing here while its graceful close is under way would end it with
            // ClosedByRemote (exit 3), a race of the test, not of the tool.
            await Task.WhenAny(peer.Completion).WaitAsync(Loopback.Timeout);
            return (message.Header.MessageType, message.Header.ServiceId, System.Text.Encoding.UTF8.GetString(body.Data.Span));
        }
    }

    private sealed class OneMessageListener(string address, IAsyncDisposable listener, Func<Task<(MessageType, int, string)>> receive) : IAsyncDisposable
    {
        public string Address { get; } = address;

        public Task<(MessageType Type, int ServiceId, string Body)> ReceiveAsync() => receive().WaitAsync(CliTool.RunTimeout);

        public ValueTask DisposeAsync() => listener.DisposeAsync();
    }
}
