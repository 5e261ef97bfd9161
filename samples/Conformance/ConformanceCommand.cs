using System.Net.Sockets;
using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// The command line of the sample, which other implementations test against, so it stays exactly this:
/// <c>server --tcp HOST:PORT</c>, <c>server --unix-stream PATH</c>, <c>server --unix-seqpacket PATH</c>,
/// <c>client --tcp HOST:PORT</c>, <c>client --unix-stream PATH</c>, <c>client --unix-seqpacket PATH</c>, and <c>demo</c>
/// (a server and a client in one process).
/// </summary>
public static class ConformanceCommand
{
    /// <summary>Every case passed, or the server stopped cleanly.</summary>
    public const int ExitSuccess = 0;

    /// <summary>A case failed, or the server could not listen.</summary>
    public const int ExitFailure = 1;

    /// <summary>The command line was wrong.</summary>
    public const int ExitUsage = 2;

    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: Conformance server (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH)
               Conformance client (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH)
               Conformance demo

          server  serves the conformance scenario on every connection until Ctrl+C or SIGTERM;
                  port 0 picks a free port. Prints "listening on ADDRESS" once bound
                  (HOST:PORT, or unix:PATH for both Unix transports).
          client  runs every conformance case against a server; prints PASS/FAIL lines and
                  "N passed, M failed"; exits 0 only when every case passed.
          demo    runs a server on 127.0.0.1 and the client against it, in one process.

          --unix-seqpacket (Linux): one datagram per message, native endian, bodies up to
          128 KiB (a datagram must fit the default 208 KiB socket send buffer), so the big
          reply case asks for 128 KiB instead of 1 MiB; adds service 6, the fd service
          (a memfd in, its content back as the body plus a new memfd holding it reversed).
        """;

    /// <summary>Runs the command; returns the exit code.</summary>
    /// <param name="args">The command line after the program name.</param>
    /// <param name="output">Where the listening line and the client's report go.</param>
    /// <param name="error">Where usage errors and the server's connection errors go.</param>
    /// <param name="cancellationToken">Stops the server (Ctrl+C, SIGTERM) or abandons the client's run.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        switch (args)
        {
            case ["server", var option, var value] when ConformanceEndpoint.TryParse(option, value, out var endpoint):
                return await ServeAsync(endpoint!, output, error, cancellationToken);
            case ["client", var option, var value] when ConformanceEndpoint.TryParse(option, value, out var endpoint):
                return await RunClientAsync(endpoint!, output, error, cancellationToken);
            case ["demo"]:
                return await DemoAsync(output, error, cancellationToken);
            case ["--help" or "-h" or "help"]:
                output.WriteLine(Usage);
                return ExitSuccess;
            default:
                return UsageError(error, args.Length == 0 ? "no command given" : $"cannot understand '{string.Join(' ', args)}'");
        }
    }

    private static int UsageError(TextWriter error, string problem)
    {
        error.WriteLine($"error: {problem}");
        error.WriteLine(Usage);
        return ExitUsage;
    }

    private static async Task<int> ServeAsync(ConformanceEndpoint endpoint, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            switch (endpoint.Kind)
            {
                case EndpointKind.Tcp:
                {
                    await using var listener = await TcpPeer.BindAsync(endpoint.Address, Scenario.CreateStreamConfig());
                    Listening(output, listener.LocalEndPoint.ToString());
                    await ConformanceServer.RunAsync(listener, error, cancellationToken);
                    return ExitSuccess;
                }

                case EndpointKind.UnixStream:
                {
                    await using var listener = await UnixStreamPeer.BindAsync(endpoint.Address, Scenario.CreateStreamConfig());
                    Listening(output, $"unix:{listener.Path}");
                    await ConformanceServer.RunAsync(listener, error, cancellationToken);
                    return ExitSuccess;
                }

                default:
                {
                    await using var listener = await UnixSeqpacketPeer.BindAsync(endpoint.Address, Scenario.CreateUnixConfig());
                    Listening(output, $"unix:{listener.Path}");
                    await ConformanceServer.RunAsync(listener, error, cancellationToken);
                    return ExitSuccess;
                }
            }
        }
        catch (FormatException problem)
        {
            return UsageError(error, problem.Message);
        }
        catch (Exception problem) when (problem is SocketException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            error.WriteLine($"error: cannot listen on {endpoint}: {problem.Message}");
            return ExitFailure;
        }
    }

    private static void Listening(TextWriter output, string address)
    {
        // Scripts wait for this line to learn the address (the port, for port 0): flush it at once.
        output.WriteLine($"listening on {address}");
        output.Flush();
    }

    private static async Task<int> RunClientAsync(ConformanceEndpoint endpoint, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var (_, failed) = await ConformanceClient.RunAsync(endpoint, output, cancellationToken);
            return failed == 0 ? ExitSuccess : ExitFailure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("interrupted");
            return ExitFailure;
        }
    }

    private static async Task<int> DemoAsync(TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        await using var listener = await TcpPeer.BindAsync("127.0.0.1:0", Scenario.CreateStreamConfig());
        output.WriteLine($"server listening on {listener.LocalEndPoint}; running the client against it");
        using var stopServer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var server = ConformanceServer.RunAsync(listener, error, stopServer.Token);
        try
        {
            return await RunClientAsync(ConformanceEndpoint.Tcp(listener.LocalEndPoint.ToString()), output, error, cancellationToken);
        }
        finally
        {
            await stopServer.CancelAsync();
            await server;
        }
    }
}
