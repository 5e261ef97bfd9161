/// <summary>What a scenario does per request: an echo, an echo preceded by responder updates, or one-way stream messages.</summary>
internal enum LoadMode
{
    Echo,
    Updates,
    OneWay,
}

/// <summary>One run's shape: the load itself, apart from which implementation (engine, typed, floor, gRPC) carries it.</summary>
internal sealed record LoadSpec(LoadMode Mode, int InFlight, int Requests, int BodySize, int Connections = 1)
{
    /// <summary>Responder updates the server sends before each response in <see cref="LoadMode.Updates"/>.</summary>
    public const int UpdatesPerRequest = 10;

    /// <summary>Frames the server writes per request it receives (the floor's reply count).</summary>
    public int RepliesPerRequest => Mode switch
    {
        LoadMode.Echo => 1,
        LoadMode.Updates => UpdatesPerRequest + 1,
        _ => 0,
    };

    /// <summary>A short warm-up of the same shape: JIT and tiering settle before the measured run.</summary>
    public LoadSpec WarmUp() => this with { Requests = Math.Max(Connections, Math.Min(Requests / 10, 20_000)) };

    /// <summary>The requests (or messages) connection <paramref name="index"/> carries: the total split evenly.</summary>
    public int RequestsOf(int index) => (Requests / Connections) + (index < Requests % Connections ? 1 : 0);
}
