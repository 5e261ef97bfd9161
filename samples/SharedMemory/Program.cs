using System.Globalization;
using System.Runtime.InteropServices;
using FizyrRpc.Samples.SharedMemory;
using FizyrRpc.Transports;

// dotnet run --project samples/SharedMemory [frames] [MiB per frame]
if (!UnixSeqpacketPeer.IsSupported)
{
    Console.WriteLine("This sample passes memfd descriptors over a Unix seqpacket socket, which needs 64-bit Linux; nothing to do here.");
    return 0;
}

if (args.Length > 2
    || !TryParse(args, 0, SharedMemoryDemo.DefaultFrames, out var frames)
    || !TryParse(args, 1, SharedMemoryDemo.DefaultFrameBytes / (1024 * 1024), out var mebibytes)
    || mebibytes > 2047)
{
    Console.Error.WriteLine("usage: SharedMemory [frames (default 8)] [MiB per frame, 1 to 2047 (default 64)]");
    return 2;
}

// Ctrl+C and SIGTERM stop the run cleanly: connections closed, descriptors released, the temp folder removed.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var folder = Directory.CreateTempSubdirectory("fizyr-shm-");
try
{
    var socketPath = Path.Combine(folder.FullName, "frames.sock");
    return await SharedMemoryDemo.RunAsync(socketPath, frames, mebibytes * 1024 * 1024, Console.Out, stop.Token) ? 0 : 1;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.WriteLine("stopped");
    return 1;
}
finally
{
    folder.Delete(recursive: true);
}

static bool TryParse(string[] args, int index, int fallback, out int value)
{
    value = fallback;
    return index >= args.Length
        || (int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0);
}

void Stop(PosixSignalContext context)
{
    if (stop.IsCancellationRequested)
        return;
    context.Cancel = true;
    stop.Cancel();
}
