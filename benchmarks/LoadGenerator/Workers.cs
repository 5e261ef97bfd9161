using System.Diagnostics;

/// <summary>One task per request in flight, each starting its next call when the last is done: how most callers use an RPC client.</summary>
internal static class Workers
{
    public static async Task RunAsync(int inFlight, ArraySegment<long> latencies, Func<Task> call)
    {
        var next = -1;
        var workers = new Task[Math.Min(inFlight, Math.Max(1, latencies.Count))];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < latencies.Count)
                {
                    var started = Stopwatch.GetTimestamp();
                    await call();
                    latencies[index] = Stopwatch.GetTimestamp() - started;
                }
            });
        }

        await Task.WhenAll(workers);
    }
}
