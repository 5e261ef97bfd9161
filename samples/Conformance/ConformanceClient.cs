using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// Runs every conformance case against a server, on one connection, and reports each as <c>PASS name</c> or
/// <c>FAIL name: why</c>, then <c>N passed, M failed</c>. Each case has a timeout, so a broken server fails instead of
/// hanging the run. The byte-stream transports and Unix seqpacket share the cases (seqpacket with a big reply within
/// its body limit); seqpacket adds the fd cases.
/// </summary>
public static class ConformanceClient
{
    /// <summary>How long one case, or the connect, may take by default.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(10);

    private static IReadOnlyList<ConformanceCase<StreamBody>> StreamCases { get; } =
        ConformanceCases<StreamBody>.Create(Scenario.StreamBigReplyLength, []);

    private static IReadOnlyList<ConformanceCase<UnixBody>> SeqpacketCases { get; } =
        ConformanceCases<UnixBody>.Create(Scenario.SeqpacketBigReplyLength, FdCases.All);

    /// <summary>The names of the cases on the byte-stream transports (TCP, Unix stream), in the order they run.</summary>
    public static IReadOnlyList<string> CaseNames { get; } = [.. StreamCases.Select(c => c.Name)];

    /// <summary>The names of the cases on Unix seqpacket, in the order they run.</summary>
    public static IReadOnlyList<string> SeqpacketCaseNames { get; } = [.. SeqpacketCases.Select(c => c.Name)];

    /// <summary>The names of the cases run on <paramref name="kind"/>, in order.</summary>
    public static IReadOnlyList<string> CaseNamesOf(EndpointKind kind) => kind == EndpointKind.UnixSeqpacket ? SeqpacketCaseNames : CaseNames;

    /// <summary>Connects to <paramref name="target"/>, runs every case and writes the report to <paramref name="output"/>.</summary>
    /// <returns>How many cases passed and failed; a failed connect counts as one failure.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled: the run was abandoned.</exception>
    public static Task<(int Passed, int Failed)> RunAsync(ConformanceEndpoint target, TextWriter output, CancellationToken cancellationToken) =>
        RunAsync(target, output, DefaultTimeout, cancellationToken);

    /// <inheritdoc cref="RunAsync(ConformanceEndpoint, TextWriter, CancellationToken)"/>
    /// <param name="target">The server.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="caseTimeout">How long each case may take; the connect always gets <see cref="DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Abandons the run.</param>
    public static Task<(int Passed, int Failed)> RunAsync(
        ConformanceEndpoint target,
        TextWriter output,
        TimeSpan caseTimeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(caseTimeout, TimeSpan.Zero);
        return target.IsByteStream
            ? RunCasesAsync(target, target.ConnectAsync, StreamCases, output, caseTimeout, cancellationToken)
            : RunCasesAsync(target, target.ConnectSeqpacketAsync, SeqpacketCases, output, caseTimeout, cancellationToken);
    }

    private static async Task<(int Passed, int Failed)> RunCasesAsync<TBody>(
        ConformanceEndpoint target,
        Func<CancellationToken, Task<PeerHandle<TBody>>> connect,
        IReadOnlyList<ConformanceCase<TBody>> cases,
        TextWriter output,
        TimeSpan caseTimeout,
        CancellationToken cancellationToken)
        where TBody : IMessageBody<TBody>
    {
        ClientSession<TBody> session;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(DefaultTimeout);
            session = await ClientSession<TBody>.ConnectAsync(connect, timeout.Token);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            return Report(output, 0, 1, $"FAIL connect to {target}: {Explain(error)}");
        }

        var passed = 0;
        var failed = 0;
        await using (session)
        {
            foreach (var conformanceCase in cases)
            {
                var failure = await RunCaseAsync(conformanceCase, session, caseTimeout, cancellationToken);
                if (failure is null)
                {
                    passed++;
                    WriteLine(output, $"PASS {conformanceCase.Name}");
                }
                else
                {
                    failed++;
                    WriteLine(output, $"FAIL {conformanceCase.Name}: {failure}");
                }
            }
        }

        return Report(output, passed, failed, null);
    }

    /// <summary>Runs one case; returns null when it passed, otherwise why it failed.</summary>
    private static async Task<string?> RunCaseAsync<TBody>(
        ConformanceCase<TBody> conformanceCase,
        ClientSession<TBody> session,
        TimeSpan caseTimeout,
        CancellationToken cancellationToken)
        where TBody : IMessageBody<TBody>
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(caseTimeout);
        try
        {
            // WaitAsync as well: a wait that ignored its token would still end the case.
            await conformanceCase.RunAsync(session, timeout.Token).WaitAsync(caseTimeout, cancellationToken);
            return null;
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            return error is OperationCanceledException or TimeoutException
                ? $"timed out after {caseTimeout.TotalMilliseconds:0} ms"
                : Explain(error);
        }
    }

    private static string Explain(Exception error) => error switch
    {
        ConformanceFailure => error.Message,
        ConnectionClosedException { InnerException: { } cause } => $"{error.Message} ({cause.GetType().Name})",
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    private static (int Passed, int Failed) Report(TextWriter output, int passed, int failed, string? line)
    {
        if (line is not null)
            WriteLine(output, line);
        WriteLine(output, $"{passed} passed, {failed} failed");
        return (passed, failed);
    }

    // Flushed per line: scripts read the report while the run goes on.
    private static void WriteLine(TextWriter output, string line)
    {
        output.WriteLine(line);
        output.Flush();
    }
}
