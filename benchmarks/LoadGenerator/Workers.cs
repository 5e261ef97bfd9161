using System.Diagnostics;

/// <summary>How a load is spread: over connections (each its share of the requests), and over tasks on a connection.</summary>
internal static class Workers
{
    /// <summary>Runs <paramref name="load"/> on every connection at once, each with its slice of the latencies; returns them all.</summary>
    public static async Task<long[]> PerConnectionAsync<TConnection>(
        IReadOnlyList<TConnection> connections, LoadSpec spec, Func<TConnection, ArraySegment<long>, Task> load)
    {
        var latencies = new long[spec.Requests];
        var loads = new Task[connections.Count];
        var offset = 0;
        for (var c = 0; c < loads.Length; c++)
        {
            var slice = new ArraySegment<long>(latencies, offset, spec.RequestsOf(c));
            offset += slice.Count;
            loads[c] = load(connections[c], slice);
        }

        await Task.WhenAll(loads);
        return latencies;
    }

    /// <summary>One task per request in flight, each starting its next call when the last is done: how most callers use an RPC client.</summary>
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
