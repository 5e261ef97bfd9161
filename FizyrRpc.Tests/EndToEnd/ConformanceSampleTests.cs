using System.Buffers.Binary;
using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FizyrRpc.Samples.Conformance;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Tests.EndToEnd;

/// <summary>
/// The conformance sample (samples/Conformance), in-process over real sockets: its client against its server, its
/// command line, and the server's behaviour that the client cannot see (limits, hostile connections, shutdown,
/// descriptors on Unix seqpacket). Seqpacket tests are ignored where the transport is not supported.
/// </summary>
public class ConformanceSampleTests
{
    /// <summary>Every transport of the sample.</summary>
    public static IEnumerable<EndpointKind> AllKinds => [EndpointKind.Tcp, EndpointKind.UnixStream, EndpointKind.UnixSeqpacket];

    /// <summary>The byte-stream transports.</summary>
    public static IEnumerable<EndpointKind> StreamKinds => [EndpointKind.Tcp, EndpointKind.UnixStream];

    [TestCaseSource(nameof(AllKinds))]
    public async Task TheClientPassesEveryCaseAgainstTheServer(EndpointKind kind)
    {
        IgnoreUnlessSupported(kind);
        await using var server = await SampleServer.StartAsync(kind);
        var output = new StringWriter();

        var (passed, failed) = await ConformanceClient.RunAsync(server.Endpoint, output, CancellationToken.None).WaitAsync(Loopback.Timeout);

        var lines = Lines(output);
        var names = ConformanceClient.CaseNamesOf(kind);
        Assert.That(failed, Is.Zero, string.Join('\n', lines));
        Assert.That(passed, Is.EqualTo(names.Count));
        Assert.That(names, Has.Count.GreaterThanOrEqualTo(13), "every case of the scenario is run");
        Assert.That(lines, Is.EqualTo(names.Select(name => $"PASS {name}").Append($"{passed} passed, 0 failed")));
        await server.StopAsync();
        Assert.That(server.Log, Is.Empty, "a well-behaved client causes no server errors");
    }

    [Test]
    public void SeqpacketRunsTheStreamCasesWithASmallerBigReplyAndAddsTheFdCases()
    {
        var stream = ConformanceClient.CaseNames;
        var seqpacket = ConformanceClient.SeqpacketCaseNames;

        Assert.That(stream, Does.Contain("1 MiB big reply").And.Not.Contain("fd passed both ways"));
        Assert.That(
            seqpacket,
            Is.EqualTo(stream.SkipLast(1)
                .Select(name => name == "1 MiB big reply" ? "128 KiB big reply" : name)
                .Append("fd passed both ways")
                .Append("fd service without a descriptor gets error")
                .Append(stream[^1])));
        Assert.That(Scenario.SeqpacketBigReplyLength, Is.LessThanOrEqualTo(Scenario.SeqpacketMaxBodyLength));
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task TheCommandLineServerAndClientPassAndStopCleanly(EndpointKind kind)
    {
        IgnoreUnlessSupported(kind);
        using var folder = TempFolder.Create();
        string[] serverArgs = kind switch
        {
            EndpointKind.Tcp => ["server", "--tcp", "127.0.0.1:0"],
            EndpointKind.UnixStream => ["server", "--unix-stream", folder.SocketPath],
            _ => ["server", "--unix-seqpacket", folder.SocketPath],
        };
        var serverOutput = new LineSignallingWriter("listening on ");
        var serverError = new StringWriter();
        using var stop = new CancellationTokenSource();
        var server = ConformanceCommand.RunAsync(serverArgs, serverOutput, serverError, stop.Token);
        try
        {
            var listening = await serverOutput.Line.WaitAsync(Loopback.Timeout);
            var address = listening["listening on ".Length..];
            string[] clientArgs = ["client", serverArgs[1], kind == EndpointKind.Tcp ? address : address["unix:".Length..]];
            if (kind == EndpointKind.Tcp)
                Assert.That(address, Does.Match(@"^127\.0\.0\.1:[1-9][0-9]*$"), "port 0 is replaced by the real port");
            else
                Assert.That(address, Is.EqualTo($"unix:{folder.SocketPath}"));

            var clientOutput = new StringWriter();
            var exitCode = await ConformanceCommand.RunAsync(clientArgs, clientOutput, TextWriter.Null, CancellationToken.None).WaitAsync(Loopback.Timeout);

            Assert.That(exitCode, Is.EqualTo(ConformanceCommand.ExitSuccess), clientOutput.ToString());
            Assert.That(Lines(clientOutput)[^1], Is.EqualTo($"{ConformanceClient.CaseNamesOf(kind).Count} passed, 0 failed"));
        }
        finally
        {
            await stop.CancelAsync();
        }

        Assert.That(await server.WaitAsync(Loopback.Timeout), Is.EqualTo(ConformanceCommand.ExitSuccess), serverError.ToString());
        Assert.That(serverError.ToString(), Is.Empty);
        Assert.That(File.Exists(folder.SocketPath), Is.False, "stopping removes the socket file");
    }

    [Test]
    public async Task EveryCaseFailsByItsTimeoutAgainstAServerThatNeverAnswers()
    {
        // A listener that accepts and then stays silent: the run must end with a FAIL per case instead of hanging.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var accept = listener.AcceptAsync();
        var output = new StringWriter();
        var caseTimeout = TimeSpan.FromMilliseconds(20);

        var run = ConformanceClient.RunAsync(ConformanceEndpoint.Tcp(listener.LocalEndPoint!.ToString()!), output, caseTimeout, CancellationToken.None);
        using var silent = await accept.WaitAsync(Loopback.Timeout);
        var (passed, failed) = await run.WaitAsync(Loopback.Timeout);

        // The last case only looks for surprises, and silence holds none.
        var names = ConformanceClient.CaseNames;
        Assert.That((passed, failed), Is.EqualTo((1, names.Count - 1)));
        Assert.That(
            Lines(output),
            Is.EqualTo(names.SkipLast(1).Select(name => $"FAIL {name}: timed out after {caseTimeout.TotalMilliseconds} ms")
                .Append($"PASS {names[^1]}")
                .Append($"1 passed, {names.Count - 1} failed")));
    }

    [Test]
    public async Task AFailedConnectIsReportedAsOneFailure()
    {
        using var folder = TempFolder.Create();
        var output = new StringWriter();

        var (passed, failed) = await ConformanceClient.RunAsync(ConformanceEndpoint.UnixStream(folder.SocketPath), output, CancellationToken.None)
            .WaitAsync(Loopback.Timeout);

        Assert.That((passed, failed), Is.EqualTo((0, 1)));
        var lines = Lines(output);
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0], Does.StartWith($"FAIL connect to unix:{folder.SocketPath}: "));
        Assert.That(lines[1], Is.EqualTo("0 passed, 1 failed"));
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task ABigRequestAboveTheMaximumBodyGetsAnErrorResponse(EndpointKind kind)
    {
        IgnoreUnlessSupported(kind);
        await using var server = await SampleServer.StartAsync(kind);
        var maximum = kind == EndpointKind.UnixSeqpacket ? Scenario.SeqpacketMaxBodyLength : Scenario.MaxBodyLength;

        var reply = await server.RequestAsync(Scenario.BigService, BigRequest((uint)maximum + 1));

        Assert.That(reply.Header, Is.EqualTo(MessageHeader.ErrorResponse(reply.RequestId)));
        Assert.That(reply.Text, Does.Contain($"{maximum + 1} bytes is above the maximum body of {maximum} bytes"));
    }

    [TestCase(new byte[0])]
    [TestCase(new byte[] { 1, 2, 3 })]
    [TestCase(new byte[] { 1, 2, 3, 4, 5 })]
    public async Task ABigRequestWhoseBodyIsNotFourBytesGetsAnErrorResponse(byte[] body)
    {
        await using var server = await SampleServer.StartAsync(EndpointKind.Tcp);

        var reply = await server.RequestAsync(Scenario.BigService, body);

        Assert.That(reply.Header, Is.EqualTo(MessageHeader.ErrorResponse(reply.RequestId)));
        Assert.That(reply.Text, Does.Contain($"got {body.Length} bytes"));
    }

    [TestCaseSource(nameof(StreamKinds))]
    public async Task AProtocolErrorEndsOnlyThatConnectionAndIsLogged(EndpointKind kind)
    {
        await using var server = await SampleServer.StartAsync(kind);
        await using var healthy = await server.Endpoint.ConnectAsync(CancellationToken.None).WaitAsync(Loopback.Timeout);

        using (var hostile = await server.ConnectRawAsync())
        {
            // A length field below the 12-byte header: the server must close this connection.
            await hostile.SendAsync(new byte[] { 11, 0, 0, 0 });
            var buffer = new byte[16];
            var received = await hostile.ReceiveAsync(buffer).WaitAsync(Loopback.Timeout);
            Assert.That(received, Is.Zero, "the server closes the hostile connection");
        }

        using var request = await healthy.SendRequestAsync(Scenario.EchoService, StreamBody.FromString("still here"));
        var response = await request.ReceiveResponseAsync().AsTask().WaitAsync(Loopback.Timeout);
        Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId)));
        Assert.That(response.Body.ToUtf8String(), Is.EqualTo("still here"));

        await server.StopAsync();
        Assert.That(server.Log, Does.Contain("Message too short"));
    }

    [Test]
    public async Task ATooShortDatagramIsDroppedAndLoggedAndTheSeqpacketConnectionGoesOn()
    {
        IgnoreUnlessSupported(EndpointKind.UnixSeqpacket);
        await using var server = await SampleServer.StartAsync(EndpointKind.UnixSeqpacket);
        using var raw = await server.ConnectRawAsync();

        await raw.SendAsync(new byte[] { 0, 1, 2 });
        var request = new byte[MessageHeader.Size + 5];
        MessageHeader.Request(7, Scenario.EchoService).Encode(request, Endian.Native);
        "after"u8.CopyTo(request.AsSpan(MessageHeader.Size));
        await raw.SendAsync(request);
        var reply = new byte[64];
        var length = await raw.ReceiveAsync(reply).WaitAsync(Loopback.Timeout);

        Assert.That(MessageHeader.Decode(reply, Endian.Native), Is.EqualTo(MessageHeader.Response(7, Scenario.SuccessServiceId)));
        Assert.That(reply[MessageHeader.Size..length], Is.EqualTo("after"u8.ToArray()));
        await server.StopAsync();
        Assert.That(server.Log, Does.Contain("shorter than a header"));
    }

    [TestCaseSource(nameof(StreamKinds))]
    public async Task StoppingTheServerAnswersOpenRequestsAndThenClosesItsConnections(EndpointKind kind)
    {
        await using var server = await SampleServer.StartAsync(kind);
        await using var peer = await server.Endpoint.ConnectAsync(CancellationToken.None).WaitAsync(Loopback.Timeout);
        using var chat = await peer.SendRequestAsync(Scenario.ChatService, StreamBody.Empty);
        await chat.SendUpdateAsync(1, StreamBody.FromString("are you there"));
        var echoed = await chat.ReceiveUpdateAsync().AsTask().WaitAsync(Loopback.Timeout);
        Assert.That(echoed?.Header, Is.EqualTo(MessageHeader.ResponderUpdate(chat.RequestId, 1)), "the chat is open on the server");

        await server.StopAsync();

        var response = await chat.ReceiveResponseAsync().AsTask().WaitAsync(Loopback.Timeout);
        Assert.That(response.Header, Is.EqualTo(MessageHeader.ErrorResponse(chat.RequestId)));
        Assert.That(response.GetErrorMessage(), Is.EqualTo(ReceivedRequest<StreamBody>.DroppedErrorText));
        await peer.Completion.WaitAsync(Loopback.Timeout);
        Assert.That(peer.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedByRemote));
        Assert.That(server.Log, Is.Empty);
    }

    [Test]
    public async Task TheFdServiceAnswersWithTheFileContentAndANewFileHoldingItReversed()
    {
        IgnoreUnlessSupported(EndpointKind.UnixSeqpacket);
        await using var server = await SampleServer.StartAsync(EndpointKind.UnixSeqpacket);
        var content = Encoding.UTF8.GetBytes("pixels and point clouds");
        using var file = server.CreateFile("request", content);

        var reply = await server.RequestAsync(Scenario.FdService, UnixBody.WithCopies(ReadOnlyMemory<byte>.Empty, file));

        Assert.That(reply.Header, Is.EqualTo(MessageHeader.Response(reply.RequestId, Scenario.SuccessServiceId)));
        Assert.That(reply.Body, Is.EqualTo(content));
        Assert.That(reply.DescriptorContents, Is.EqualTo(new[] { content.Reverse().ToArray() }));
    }

    [TestCase(0)]
    [TestCase(2)]
    public async Task TheFdServiceWithoutExactlyOneDescriptorGetsAnErrorResponse(int descriptorCount)
    {
        IgnoreUnlessSupported(EndpointKind.UnixSeqpacket);
        await using var server = await SampleServer.StartAsync(EndpointKind.UnixSeqpacket);
        using var file = server.CreateFile("request", "abc"u8.ToArray());

        var reply = await server.RequestAsync(Scenario.FdService, UnixBody.WithCopies("abc"u8.ToArray(), [.. Enumerable.Repeat(file, descriptorCount)]));

        Assert.That(reply.Header, Is.EqualTo(MessageHeader.ErrorResponse(reply.RequestId)));
        Assert.That(reply.Text, Is.EqualTo($"fd: expected 1 file descriptor, got {descriptorCount}"));
        Assert.That(reply.DescriptorContents, Is.Empty);
    }

    [Test]
    public async Task TheFdServiceAnswersADescriptorItCannotReadWithAnErrorResponse()
    {
        IgnoreUnlessSupported(EndpointKind.UnixSeqpacket);
        await using var server = await SampleServer.StartAsync(EndpointKind.UnixSeqpacket);
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var writeOnly = File.OpenHandle(Path.Combine(server.FolderPath, "write-only"), FileMode.Create, FileAccess.Write);
        RandomAccess.Write(writeOnly, "abc"u8, 0);
        using var tooBig = server.CreateFile("too-big", new byte[Scenario.SeqpacketMaxBodyLength + 1]);

        var fromPipe = await server.RequestAsync(Scenario.FdService, UnixBody.WithCopies(ReadOnlyMemory<byte>.Empty, pipe.SafePipeHandle));
        var fromWriteOnly = await server.RequestAsync(Scenario.FdService, UnixBody.WithCopies(ReadOnlyMemory<byte>.Empty, writeOnly));
        var fromTooBig = await server.RequestAsync(Scenario.FdService, UnixBody.WithCopies(ReadOnlyMemory<byte>.Empty, tooBig));

        Assert.That(new[] { fromPipe.Header, fromWriteOnly.Header, fromTooBig.Header }, Is.EqualTo(new[]
        {
            MessageHeader.ErrorResponse(fromPipe.RequestId),
            MessageHeader.ErrorResponse(fromWriteOnly.RequestId),
            MessageHeader.ErrorResponse(fromTooBig.RequestId),
        }));
        Assert.That(fromPipe.Text, Does.StartWith("fd: "), "a pipe has no offset 0 to read from");
        Assert.That(fromWriteOnly.Text, Does.StartWith("fd: "));
        Assert.That(fromTooBig.Text, Is.EqualTo($"fd: the file holds {Scenario.SeqpacketMaxBodyLength + 1} bytes, more than the body limit of {Scenario.SeqpacketMaxBodyLength} bytes"));
        await server.StopAsync();
        Assert.That(server.Log, Is.Empty);
    }

    [TestCaseSource(nameof(StreamKinds))]
    public async Task OnTheByteStreamTransportsTheFdServiceIsAnUnknownService(EndpointKind kind)
    {
        await using var server = await SampleServer.StartAsync(kind);

        var reply = await server.RequestAsync(Scenario.FdService, "abc"u8.ToArray());

        Assert.That(reply.Header, Is.EqualTo(MessageHeader.ErrorResponse(reply.RequestId)));
        Assert.That(reply.Text, Is.EqualTo(Scenario.UnknownServiceText(Scenario.FdService)));
    }

    [Test]
    public async Task TheServerClosesEveryDescriptorItReceivesAndPassesNoneOn()
    {
        IgnoreUnlessSupported(EndpointKind.UnixSeqpacket);
        await using var server = await SampleServer.StartAsync(EndpointKind.UnixSeqpacket);
        var path = Path.Combine(server.FolderPath, "shared");
        using (var file = server.CreateFile("shared", "xyz"u8.ToArray()))
        {
            await using var peer = await server.Endpoint.ConnectSeqpacketAsync(CancellationToken.None).WaitAsync(Loopback.Timeout);
            UnixBody WithFile(string text) => UnixBody.WithCopies(Encoding.UTF8.GetBytes(text), file);

            // Every service, and a stream message and a chat update, with a descriptor it has no use for.
            foreach (var serviceId in new[] { Scenario.EchoService, Scenario.ProgressService, Scenario.FailService, 12345 })
                await ExpectNoDescriptorsAsync(peer, serviceId, WithFile("x"));
            await ExpectNoDescriptorsAsync(peer, Scenario.BigService, UnixBody.WithCopies(BigRequest(10), file));
            await peer.SendStreamAsync(77, WithFile("tick"));
            var stream = await peer.ReceiveMessageAsync().AsTask().WaitAsync(Loopback.Timeout);
            using (stream.Message.Body)
                Assert.That((stream.Header, stream.Message.Body.FileDescriptors.Count), Is.EqualTo((MessageHeader.Stream(77), 0)));
            using (var chat = await peer.SendRequestAsync(Scenario.ChatService, WithFile("chat")))
            {
                await chat.SendUpdateAsync(1, WithFile("line"));
                var echoed = await chat.ReceiveUpdateAsync().AsTask().WaitAsync(Loopback.Timeout);
                using (echoed!.Value.Body)
                    Assert.That((echoed.Value.Body.Length, echoed.Value.Body.FileDescriptors.Count), Is.EqualTo((4, 0)));
            }

            // The call-back: the server's own request to us, and our answer to it, each with a descriptor.
            using var callBack = await peer.SendRequestAsync(Scenario.CallBackService, WithFile("back"));
            var incoming = await peer.ReceiveMessageAsync().AsTask().WaitAsync(Loopback.Timeout);
            Assert.That(incoming.TryGetRequest(out var asked), Is.True, "the server asks us first");
            using (asked)
            using (asked!.Body)
            {
                Assert.That(asked.Body.FileDescriptors, Is.Empty, "the server's own request passes no descriptor on");
                await asked.SendResponseAsync(Scenario.SuccessServiceId, WithFile("back"));
            }

            var answer = await callBack.ReceiveResponseAsync().AsTask().WaitAsync(Loopback.Timeout);
            using (answer.Body)
                Assert.That((answer.Header, answer.Body.FileDescriptors.Count), Is.EqualTo((MessageHeader.Response(callBack.RequestId, 0), 0)));
        }

        await server.StopAsync();
        Assert.That(OpenDescriptorsTo(path), Is.Empty, "every copy of the file the server received is closed");
        Assert.That(server.Log, Is.Empty);
    }

    [Test]
    public async Task TheSeqpacketClientAndServerLeaveNoDescriptorOpen()
    {
        IgnoreUnlessSupported(EndpointKind.UnixSeqpacket);
        await using (var server = await SampleServer.StartAsync(EndpointKind.UnixSeqpacket))
        {
            for (var run = 0; run < 3; run++)
            {
                var (_, failed) = await ConformanceClient.RunAsync(server.Endpoint, TextWriter.Null, CancellationToken.None).WaitAsync(Loopback.Timeout);
                Assert.That(failed, Is.Zero);
            }
        }

        // The memfds of both sides are named "conformance-..."; every copy of them in this process must be closed.
        Assert.That(OpenDescriptorsTo("/memfd:conformance-"), Is.Empty);
    }

    private static async Task ExpectNoDescriptorsAsync(PeerHandle<UnixBody> peer, int serviceId, UnixBody body)
    {
        using var request = await peer.SendRequestAsync(serviceId, body);
        while (await request.ReceiveUpdateAsync().AsTask().WaitAsync(Loopback.Timeout) is { } update)
        {
            using (update.Body)
                Assert.That(update.Body.FileDescriptors, Is.Empty, $"an update of service {serviceId} carries no descriptor");
        }

        var response = await request.ReceiveResponseAsync().AsTask().WaitAsync(Loopback.Timeout);
        using (response.Body)
            Assert.That(response.Body.FileDescriptors, Is.Empty, $"the reply to service {serviceId} carries no descriptor");
    }

    /// <summary>The descriptors of this process whose target starts with <paramref name="target"/>.</summary>
    private static List<string> OpenDescriptorsTo(string target) =>
        [.. Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(descriptor => new FileInfo(descriptor).LinkTarget)
            .OfType<string>()
            .Where(link => link.StartsWith(target, StringComparison.Ordinal))];

    private static byte[] BigRequest(uint length)
    {
        var body = new byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(body, length);
        return body;
    }

    private static void IgnoreUnlessSupported(EndpointKind kind)
    {
        if (kind == EndpointKind.UnixSeqpacket && !UnixSeqpacketPeer.IsSupported)
            Assert.Ignore("Unix seqpacket sockets with descriptor passing are not supported on this platform");
    }

    [TestCase]
    [TestCase("server")]
    [TestCase("client", "--tcp")]
    [TestCase("server", "--udp", "127.0.0.1:1")]
    [TestCase("server", "--tcp", "")]
    [TestCase("client", "--unix-seqpacket", "")]
    [TestCase("server", "--unix-seqpacket")]
    [TestCase("client", "--unix-stream", "/tmp/x", "extra")]
    [TestCase("serve", "--tcp", "127.0.0.1:1")]
    [TestCase("server", "--tcp", "not an address")]
    public async Task AUsageErrorPrintsTheUsageAndExitsWithTwo(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await ConformanceCommand.RunAsync(args, output, error, CancellationToken.None).WaitAsync(Loopback.Timeout);

        Assert.That(exitCode, Is.EqualTo(ConformanceCommand.ExitUsage));
        Assert.That(error.ToString(), Does.Contain("usage: Conformance server"));
        Assert.That(output.ToString(), Is.Empty);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(250)]
    [TestCase(251)]
    [TestCase(252)]
    [TestCase(1000)]
    [TestCase(65537)]
    public void TheBigBodyIsBytesIModulo251(int length)
    {
        var body = Scenario.BigBody(length);

        Assert.That(body, Is.EqualTo(Enumerable.Range(0, length).Select(i => (byte)(i % 251))));
    }


    private static string[] Lines(StringWriter writer) =>
        writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A response as it came: header, body, and the content of each descriptor it carried (all closed since).</summary>
    private sealed record Reply(uint RequestId, MessageHeader Header, byte[] Body, byte[][] DescriptorContents)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }

    /// <summary>The sample's server on a fresh listener: TCP on 127.0.0.1:0, or a Unix socket in a temp folder.</summary>
    private sealed class SampleServer : IAsyncDisposable
    {
        private readonly IAsyncDisposable _listener;
        private readonly TempFolder? _folder;
        private readonly CancellationTokenSource _stop = new();
        private readonly StringWriter _log = new();
        private Task _running = Task.CompletedTask;

        private SampleServer(ConformanceEndpoint endpoint, IAsyncDisposable listener, TempFolder? folder)
        {
            Endpoint = endpoint;
            _listener = listener;
            _folder = folder;
        }

        public ConformanceEndpoint Endpoint { get; }

        /// <summary>What the server logged; read it after <see cref="StopAsync"/>.</summary>
        public string Log => _log.ToString();

        /// <summary>The temp folder of a Unix server, for files of the test.</summary>
        public string FolderPath => _folder?.FolderPath ?? throw new InvalidOperationException("A TCP server has no folder.");

        public static async Task<SampleServer> StartAsync(EndpointKind kind)
        {
            if (kind == EndpointKind.Tcp)
            {
                var listener = await TcpPeer.BindAsync("127.0.0.1:0", Scenario.CreateStreamConfig());
                var server = new SampleServer(ConformanceEndpoint.Tcp(listener.LocalEndPoint.ToString()), listener, null);
                server._running = ConformanceServer.RunAsync(listener, server._log, server._stop.Token);
                return server;
            }

            var folder = TempFolder.Create();
            try
            {
                if (kind == EndpointKind.UnixStream)
                {
                    var listener = await UnixStreamPeer.BindAsync(folder.SocketPath, Scenario.CreateStreamConfig());
                    var server = new SampleServer(ConformanceEndpoint.UnixStream(folder.SocketPath), listener, folder);
                    server._running = ConformanceServer.RunAsync(listener, server._log, server._stop.Token);
                    return server;
                }
                else
                {
                    var listener = await UnixSeqpacketPeer.BindAsync(folder.SocketPath, Scenario.CreateUnixConfig());
                    var server = new SampleServer(ConformanceEndpoint.UnixSeqpacket(folder.SocketPath), listener, folder);
                    server._running = ConformanceServer.RunAsync(listener, server._log, server._stop.Token);
                    return server;
                }
            }
            catch
            {
                folder.Dispose();
                throw;
            }
        }

        /// <summary>A file in the server's temp folder holding <paramref name="content"/>, open for reading and writing.</summary>
        public SafeFileHandle CreateFile(string name, byte[] content)
        {
            var file = File.OpenHandle(Path.Combine(FolderPath, name), FileMode.Create, FileAccess.ReadWrite);
            RandomAccess.Write(file, content, 0);
            return file;
        }

        /// <summary>Sends one request with bytes only on a new connection of the server's transport, and returns the response.</summary>
        public async Task<Reply> RequestAsync(int serviceId, byte[] body)
        {
            if (!Endpoint.IsByteStream)
                return await RequestAsync(serviceId, UnixBody.FromBytes(body));
            await using var peer = await Endpoint.ConnectAsync(CancellationToken.None).WaitAsync(Loopback.Timeout);
            return await RequestOnAsync(peer, serviceId, StreamBody.FromBytes(body));
        }

        /// <summary>Sends one request on a new seqpacket connection (the body is the peer's from here on), and returns the response.</summary>
        public async Task<Reply> RequestAsync(int serviceId, UnixBody body)
        {
            PeerHandle<UnixBody> peer;
            try
            {
                peer = await Endpoint.ConnectSeqpacketAsync(CancellationToken.None).WaitAsync(Loopback.Timeout);
            }
            catch
            {
                body.Dispose();
                throw;
            }

            await using (peer)
                return await RequestOnAsync(peer, serviceId, body);
        }

        private static async Task<Reply> RequestOnAsync<TBody>(PeerHandle<TBody> peer, int serviceId, TBody body)
            where TBody : IMessageBody<TBody>
        {
            using var request = await peer.SendRequestAsync(serviceId, body);
            var response = await request.ReceiveResponseAsync().AsTask().WaitAsync(Loopback.Timeout);
            using (response.Body)
            {
                var descriptors = response.Body is UnixBody unix ? unix.FileDescriptors : [];
                return new Reply(request.RequestId, response.Header, response.Body.Data.ToArray(), [.. descriptors.Select(ReadAll)]);
            }
        }

        private static byte[] ReadAll(SafeFileHandle file)
        {
            var content = new byte[RandomAccess.GetLength(file)];
            var read = 0;
            while (read < content.Length && RandomAccess.Read(file, content.AsSpan(read), read) is var now and > 0)
                read += now;
            return content[..read];
        }

        /// <summary>A raw socket connected to the server, for bytes no conforming peer would send.</summary>
        public async Task<Socket> ConnectRawAsync()
        {
            using var timeout = new CancellationTokenSource(Loopback.Timeout);
            var socket = Endpoint.Kind switch
            {
                EndpointKind.Tcp => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp),
                EndpointKind.UnixStream => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified),
                _ => new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified),
            };
            try
            {
                await socket.ConnectAsync(
                    Endpoint.Kind == EndpointKind.Tcp ? TcpPeer.ParseEndPoint(Endpoint.Address) : new UnixDomainSocketEndPoint(Endpoint.Address),
                    timeout.Token);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        /// <summary>Stops the server and waits until every connection has ended.</summary>
        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _running.WaitAsync(Loopback.Timeout);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await StopAsync();
            }
            finally
            {
                await _listener.DisposeAsync();
                _folder?.Dispose();
                _stop.Dispose();
            }
        }
    }

    /// <summary>A writer that completes <see cref="Line"/> with the first line starting with a prefix.</summary>
    private sealed class LineSignallingWriter(string prefix) : StringWriter
    {
        private readonly TaskCompletionSource<string> _line = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> Line => _line.Task;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith(prefix, StringComparison.Ordinal))
                _line.TrySetResult(value);
        }
    }
}
