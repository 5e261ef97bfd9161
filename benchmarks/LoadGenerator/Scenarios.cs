/// <summary>Runs one scenario by name: the engine (raw or typed client), its raw-socket floor, or a gRPC variant.</summary>
internal static class Scenarios
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(3);

    public static async Task<LoadResult> RunAsync(string scenario, LoadSpec spec, bool twoProcess = false)
    {
        var name = ScenarioName.Parse(scenario);
        if (spec.InFlight < 1 || spec.Requests < 1 || spec.Connections < 1 || spec.BodySize < 0)
            throw new ArgumentOutOfRangeException(nameof(spec), spec, "In flight, requests and connections must be at least 1, the body size at least 0.");
        if (name.IsGrpc)
        {
            if (spec.Connections != 1 || spec.Mode != LoadMode.Echo || twoProcess)
                throw new ArgumentException("gRPC runs the echo on one connection in this process only.", nameof(scenario));
            return await GrpcLoad.RunAsync(name.Variant == "stream", spec.InFlight, spec.Requests, spec.BodySize);
        }

        if (spec.Mode == LoadMode.OneWay && (spec.Connections != 1 || twoProcess))
            throw new ArgumentException("One-way loads run on one connection in this process (the server measures latency).", nameof(scenario));

        // A fresh folder for the Unix socket; TCP listens on 127.0.0.1 with a free port.
        var folder = Directory.CreateTempSubdirectory("fizyrrpc-load-");
        try
        {
            var path = Path.Combine(folder.FullName, "load.sock");
            var server = twoProcess ? await TwoProcess.StartServerAsync(scenario, spec, path) : await StartServerAsync(name, spec, path);
            LoadResult result;
            var cost = ServerCost.InProcess;
            var failed = false;
            try
            {
                var client = await ConnectAsync(name, spec, server.Address);
                try
                {
                    // A generous limit: a run that hangs fails the scenario (and the finally blocks unstick it) instead of stalling a sweep.
                    await client.RunAsync(spec.WarmUp()).WaitAsync(RunLimit);
                    server.TakeOneWayLatencies();
                    await server.MarkAsync();
                    var meter = Meter.Start();
                    var latencies = await client.RunAsync(spec).WaitAsync(RunLimit);
                    if (spec.Mode == LoadMode.OneWay)
                        latencies = server.TakeOneWayLatencies();
                    result = meter.Stop(scenario, spec.InFlight, spec.BodySize, latencies, spec.Requests) with
                    {
                        Connections = spec.Connections,
                        TwoProcess = twoProcess,
                    };
                }
                finally
                {
                    await client.DisposeAsync();
                }
            }
            catch
            {
                failed = true;
                throw;
            }
            finally
            {
                try
                {
                    cost = await server.StopAsync();
                }
                catch when (failed)
                {
                    // The run's own failure is the one to report; the server only failed to wait for a client that never came.
                }
            }

            return result.WithServerCost(cost);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The server side alone (also what a <see cref="TwoProcess"/> child runs).</summary>
    public static Task<ILoadServer> StartServerAsync(ScenarioName name, LoadSpec spec, string path) => name.Kind switch
    {
        "floor" => Task.FromResult(RawFloor.StartServer(name.Transport, path, spec)),
        "typed" => TypedLoad.StartServerAsync(name.Transport, path, spec),
        _ => EngineLoad.StartServerAsync(name.Transport, path, spec),
    };

    private static Task<ILoadClient> ConnectAsync(ScenarioName name, LoadSpec spec, string address) => name.Kind switch
    {
        "floor" => RawFloor.ConnectAsync(name.Transport, address, spec),
        "typed" => TypedLoad.ConnectAsync(name.Transport, address, spec),
        _ => EngineLoad.ConnectRawAsync(name.Transport, address, spec, name.Variant == "pipelined"),
    };
}
