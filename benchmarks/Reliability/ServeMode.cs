using System.Runtime.InteropServices;
using FizyrRpc.Samples.Conformance;

namespace FizyrRpc.Benchmarks.Reliability;

/// <summary>
/// The child process: the conformance sample's server, run exactly as the sample's Program.cs runs it (its command,
/// its Ctrl+C/SIGTERM handling), plus one addition so the suite can read the managed heap: on a "stats" line on standard
/// input it prints "stats live=BYTES peak=BYTES committed=BYTES" (live: after a full collection; peak: the largest
/// GC.GetTotalMemory sampled every 20 ms since the previous "stats"; committed: the GC's committed bytes).
/// </summary>
internal static class ServeMode
{
    public const string Command = "serve";

    /// <summary>The environment variable that sets the server's frame timeout, in milliseconds (unset: the engine's default).</summary>
    public const string FrameTimeoutVariable = "RELIABILITY_FRAME_TIMEOUT_MS";
    private static long _peak;

    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        if (Environment.GetEnvironmentVariable(FrameTimeoutVariable) is { } frameTimeout)
            Samples.Conformance.Scenario.StreamFrameTimeout = TimeSpan.FromMilliseconds(int.Parse(frameTimeout, System.Globalization.CultureInfo.InvariantCulture));
        new Thread(Sample) { IsBackground = true, Name = "heap sampler" }.Start();
        new Thread(AnswerStats) { IsBackground = true, Name = "stats" }.Start();
        return await ConformanceCommand.RunAsync(["server", .. args], Console.Out, Console.Error, stop.Token);

        void Stop(PosixSignalContext context)
        {
            if (stop.IsCancellationRequested)
                return;
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static void Sample()
    {
        while (true)
        {
            var now = GC.GetTotalMemory(forceFullCollection: false);
            var peak = Volatile.Read(ref _peak);
            while (now > peak && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
                peak = Volatile.Read(ref _peak);
            Thread.Sleep(20);
        }
    }

    private static void AnswerStats()
    {
        while (Console.In.ReadLine() is { } line)
        {
            if (line != "stats")
                continue;
            var peak = Interlocked.Exchange(ref _peak, 0);
            var live = GC.GetTotalMemory(forceFullCollection: true);
            var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            Console.WriteLine($"stats live={live} peak={Math.Max(peak, live)} committed={committed}");
        }
    }
}
