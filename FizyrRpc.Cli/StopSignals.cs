using System.Runtime.InteropServices;

namespace FizyrRpc.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM. The first cancels the running command's token; if the command has not ended after the
/// grace time, or at a second signal, the process exits with 130 (SIGINT) or 143 (SIGTERM), the codes a shell reports
/// for a process those signals end. The tool handles them itself rather than through System.CommandLine's
/// process-termination handling, which at times reported 130 for a command that had ended cleanly within milliseconds
/// of the signal.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private readonly TimeSpan _grace;
    private int _signals;

    /// <summary>Starts handling both signals.</summary>
    /// <param name="grace">How long a command may take to end after the first signal.</param>
    public StopSignals(TimeSpan grace)
    {
        _grace = grace;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the command ends the process, not the runtime's default action
        var exitCode = context.Signal == PosixSignal.SIGINT ? 130 : 143;
        if (Interlocked.Increment(ref _signals) > 1)
            Environment.Exit(exitCode);

        _ = Task.Delay(_grace).ContinueWith(_ => Environment.Exit(exitCode), TaskScheduler.Default);
        // Off the signal thread: the command's own continuations run on the pool, and a second signal is still heard.
        _ = Task.Run(_stop.Cancel);
    }

    /// <summary>Stops handling the signals.</summary>
    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
    }
}
