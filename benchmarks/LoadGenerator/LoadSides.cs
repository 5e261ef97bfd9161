/// <summary>
/// The server side of a scenario, started and listening. In this process its cost is already in the meter; in a child
/// process (<see cref="TwoProcess"/>) it reports its own CPU time and allocations since the last mark.
/// </summary>
internal interface ILoadServer
{
    /// <summary>Where clients connect: "127.0.0.1:port" or a Unix socket path.</summary>
    string Address { get; }

    /// <summary>Starts counting the server's own cost from here (the measured run follows).</summary>
    Task MarkAsync();

    /// <summary>Waits for every connection to end and stops; returns the server's cost since the mark when it is not in this process.</summary>
    Task<ServerCost> StopAsync();

    /// <summary>The one-way latencies the server measured since the last call (Stopwatch ticks); empty for other loads.</summary>
    long[] TakeOneWayLatencies();
}

/// <summary>The client side of a scenario, connected: runs loads on its connections and returns each request's latency.</summary>
internal interface ILoadClient : IAsyncDisposable
{
    Task<long[]> RunAsync(LoadSpec spec);
}

/// <summary>What a server in another process spent: added to the client's own cost.</summary>
internal readonly record struct ServerCost(double CpuMicros, long AllocatedBytes)
{
    public static ServerCost InProcess => default;
}
