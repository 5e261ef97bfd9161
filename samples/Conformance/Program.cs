using System.Runtime.InteropServices;
using FizyrRpc.Samples.Conformance;

// Ctrl+C and SIGTERM stop the run cleanly (listener closed, socket file removed, connections ended) instead of killing
// the process; a second signal while stopping takes the default action and ends it at once.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await ConformanceCommand.RunAsync(args, Console.Out, Console.Error, stop.Token);

void Stop(PosixSignalContext context)
{
    if (stop.IsCancellationRequested)
        return;
    context.Cancel = true;
    stop.Cancel();
}
