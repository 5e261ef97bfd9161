/// <summary>Runs one scenario by name: an engine transport, a raw-socket floor or a gRPC variant.</summary>
internal static class Scenarios
{
    public const string Names = "tcp, unix-stream, unix-seqpacket, floor-tcp, floor-unix-stream, grpc-unary or grpc-stream";

    public static async Task<LoadResult> RunAsync(string scenario, int inFlight, int requests, int bodySize)
    {
        var folder = Directory.CreateTempSubdirectory("fizyrrpc-load-");
        try
        {
            var path = Path.Combine(folder.FullName, "load.sock");
            return scenario switch
            {
                "tcp" or "unix-stream" or "unix-seqpacket" => await EngineLoad.RunAsync(scenario, path, inFlight, requests, bodySize),
                "floor-tcp" or "floor-unix-stream" => await RunFloorAsync(scenario, path, inFlight, requests, bodySize),
                "grpc-unary" or "grpc-stream" => await GrpcLoad.RunAsync(scenario == "grpc-stream", inFlight, requests, bodySize),
                _ => throw new ArgumentException($"Unknown scenario '{scenario}': {Names}.", nameof(scenario)),
            };
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The floor this scenario is compared with (gRPC runs over TCP).</summary>
    public static string FloorOf(string scenario) => scenario is "unix-stream" or "floor-unix-stream" ? "floor-unix-stream" : "floor-tcp";

    private static async Task<LoadResult> RunFloorAsync(string scenario, string path, int inFlight, int requests, int bodySize)
    {
        var unix = scenario == "floor-unix-stream";
        await RawFloor.RunAsync(unix, path + ".warm", inFlight, Math.Min(requests / 10, 20_000), bodySize);
        var meter = Meter.Start();
        var (rate, latencies) = await RawFloor.RunAsync(unix, path, inFlight, requests, bodySize);
        return meter.Stop(scenario, inFlight, bodySize, latencies, rate);
    }
}
