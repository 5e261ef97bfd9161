using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FizyrRpc.Samples.Conformance;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.EndToEnd;

/// <summary>
/// The conformance sample (samples/Conformance), in-process over real sockets: its client against its server, its
/// command line, and the server's behaviour that the client cannot see (limits, hostile connections, shutdown).
/// </summary>
public class ConformanceSampleTests
{
    [TestCaseSource(typeof(Loopback), nameof(Loopback.Kinds))]
    public async Task TheClientPassesEveryCaseAgainstTheServer(LoopbackKind kind)
    {
        await using var server = await SampleServer.StartAsync(kind);
        var output = new StringWriter();

        var (passed, failed) = await ConformanceClient.RunAsync(server.Endpoint, output, CancellationToken.None).WaitAsync(Loopback.Timeout);

        var lines = Lines(output);
        Assert.That(failed, Is.Zero, string.Join('\n', lines));
        Assert.That(passed, Is.EqualTo(ConformanceClient.CaseNames.Count));
        Assert.That(ConformanceClient.CaseNames, Has.Count.GreaterThanOrEqualTo(13), "every case of the scenario is run");
        Assert.That(lines, Is.EqualTo(ConformanceClient.CaseNames.Select(name => $"PASS {name}").Append($"{passed} passed, 0 failed")));
        await server.StopAsync();
        Assert.That(server.Log, Is.Empty, "a well-behaved client causes no server errors");
    }

    [TestCaseSource(typeof(Loopback), nameof(Loopback.Kinds))]
    public async Task TheCommandLineServerAndClientPassAndStopCleanly(LoopbackKind kind)
    {
        using var folder = TempFolder.Create();
        string[] serverArgs = kind == LoopbackKind.Tcp
            ? ["server", "--tcp", "127.0.0.1:0"]
            : ["server", "--unix-stream", folder.SocketPath];
        var serverOutput = new LineSignallingWriter("listening on ");
        var serverError = new StringWriter();
        using var stop = new CancellationTokenSource();
        var server = ConformanceCommand.RunAsync(serverArgs, serverOutput, serverError, stop.Token);
        try
        {
            var listening = await serverOutput.Line.WaitAsync(Loopback.Timeout);
            var address = listening["listening on ".Length..];
            string[] clientArgs = kind == LoopbackKind.Tcp
                ? ["client", "--tcp", address]
                : ["client", "--unix-stream", address["unix:".Length..]];
            if (kind == LoopbackKind.Tcp)
                Assert.That(address, Does.Match(@"^127\.0\.0\.1:[1-9][0-9]*$"), "port 0 is replaced by the real port");
            else
                Assert.That(address, Is.EqualTo($"unix:{folder.SocketPath}"));

            var clientOutput = new StringWriter();
            var exitCode = await ConformanceCommand.RunAsync(clientArgs, clientOutput, TextWriter.Null, CancellationToken.None).WaitAsync(Loopback.Timeout);

            Assert.That(exitCode, Is.EqualTo(ConformanceCommand.ExitSuccess), clientOutput.ToString());
            Assert.That(Lines(clientOutput)[^1], Is.EqualTo($"{ConformanceClient.CaseNames.Count} passed, 0 failed"));
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

    [TestCaseSource(typeof(Loopback), nameof(Loopback.Kinds))]
    public async Task ABigRequestAboveTheMaximumBodyGetsAnErrorResponse(LoopbackKind kind)
    {
        await using var server = await SampleServer.StartAsync(kind);
        await using var peer = await server.Endpoint.ConnectAsync(CancellationToken.None).WaitAsync(Loopback.Timeout);
        var body = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(body, Scenario.MaxBodyLength + 1u);

        using var request = await peer.SendRequestAsync(Scenario.BigService, body);
        var response = await request.ReceiveResponseAsync().AsTask().WaitAsync(Loopback.Timeout);

        Assert.That(response.Header, Is.EqualTo(MessageHeader.ErrorResponse(request.RequestId)));
        Assert.That(response.GetErrorMessage(), Does.Contain($"{Scenario.MaxBodyLength + 1}").And.Contain("above the maximum"));
    }

    [TestCase(new byte[0])]
    [TestCase(new byte[] { 1, 2, 3 })]
    [TestCase(new byte[] { 1, 2, 3, 4, 5 })]
    public async Task ABigRequestWhoseBodyIsNotFourBytesGetsAnErrorResponse(byte[] body)
    {
        await using var server = await SampleServer.StartAsync(LoopbackKind.Tcp);
        await using var peer = await server.Endpoint.ConnectAsync(CancellationToken.None).WaitAsync(Loopback.Timeout);

        using var request = await peer.SendRequestAsync(Scenario.BigService, body);
        var response = await request.ReceiveResponseAsync().AsTask().WaitAsync(Loopback.Timeout);

        Assert.That(response.Header, Is.EqualTo(MessageHeader.ErrorResponse(request.RequestId)));
        Assert.That(response.GetErrorMessage(), Does.Contain($"got {body.Length} bytes"));
    }

    [TestCaseSource(typeof(Loopback), nameof(Loopback.Kinds))]
    public async Task AProtocolErrorEndsOnlyThatConnectionAndIsLogged(LoopbackKind kind)
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

    [TestCaseSource(typeof(Loopback), nameof(Loopback.Kinds))]
    public async Task StoppingTheServerAnswersOpenRequestsAndThenClosesItsConnections(LoopbackKind kind)
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

    [TestCase]
    [TestCase("server")]
    [TestCase("client", "--tcp")]
    [TestCase("server", "--udp", "127.0.0.1:1")]
    [TestCase("server", "--tcp", "")]
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

    /// <summary>The sample's server on a fresh listener: TCP on 127.0.0.1:0 or a Unix socket in a temp folder.</summary>
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

        public static async Task<SampleServer> StartAsync(LoopbackKind kind)
        {
            SampleServer server;
            if (kind == LoopbackKind.Tcp)
            {
                var listener = await TcpPeer.BindAsync("127.0.0.1:0", Scenario.CreateStreamConfig());
                server = new SampleServer(ConformanceEndpoint.Tcp(listener.LocalEndPoint.ToString()), listener, null);
                server._running = ConformanceServer.RunAsync(listener, server._log, server._stop.Token);
            }
            else
            {
                var folder = TempFolder.Create();
                var listener = await UnixStreamPeer.BindAsync(folder.SocketPath, Scenario.CreateStreamConfig());
                server = new SampleServer(ConformanceEndpoint.UnixStream(folder.SocketPath), listener, folder);
                server._running = ConformanceServer.RunAsync(listener, server._log, server._stop.Token);
            }

            return server;
        }

        /// <summary>A raw socket connected to the server, for bytes no conforming peer would send.</summary>
        public async Task<Socket> ConnectRawAsync()
        {
            using var timeout = new CancellationTokenSource(Loopback.Timeout);
            var socket = Endpoint.Kind == EndpointKind.Tcp
                ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
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
