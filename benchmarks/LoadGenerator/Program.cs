using System.Diagnostics;
using FizyrRpc;
using FizyrRpc.Transports;

// Echo load on one connection, server and client in this process, over loopback or a Unix socket in a temp folder.
// Usage: dotnet run -c Release --project benchmarks/LoadGenerator -- [tcp|unix-stream|unix-seqpacket|floor-tcp|floor-unix-stream] [in-flight] [requests] [body bytes]
// The floor-* transports run the same echo written directly on Socket, the floor the engine is measured against.
var transport = args.Length > 0 ? args[0] : "tcp";
var inFlight = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64;
var requests = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
var bodySize = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 64;

var folder = Directory.CreateTempSubdirectory("fizyrrpc-load-");
try
{
    var path = Path.Combine(folder.FullName, "load.sock");
    var result = transport switch
    {
        "tcp" => await RunAsync(
            await TcpPeer.BindAsync("127.0.0.1:0"),
            listener => TcpPeer.ConnectAsync(((TcpPeerListener)listener).LocalEndPoint)),
        "unix-stream" => await RunAsync(
            await UnixStreamPeer.BindAsync(path),
            _ => UnixStreamPeer.ConnectAsync(path)),
        "unix-seqpacket" => await RunAsync(
            await UnixSeqpacketPeer.BindAsync(path),
            _ => UnixSeqpacketPeer.ConnectAsync(path)),
        "floor-tcp" or "floor-unix-stream" => await RunFloorAsync(transport == "floor-unix-stream", path),
        _ => throw new ArgumentException($"Unknown transport '{transport}': tcp, unix-stream, unix-seqpacket, floor-tcp or floor-unix-stream."),
    };
    Console.WriteLine(result);
}
finally
{
    folder.Delete(recursive: true);
}

async Task<string> RunFloorAsync(bool unix, string path)
{
    await RawFloor.RunAsync(unix, path + ".warm", inFlight, Math.Min(requests / 10, 20_000), bodySize);
    var (rate, latencies) = await RawFloor.RunAsync(unix, path, inFlight, requests, bodySize);
    Array.Sort(latencies);
    double Micros(double quantile) => latencies[(int)Math.Min(latencies.Length - 1, quantile * latencies.Length)] * 1e6 / Stopwatch.Frequency;
    return string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{transport}, {inFlight} in flight, {bodySize} B bodies, {requests} requests: {rate:F0} requests/s, p50 {Micros(0.5):F1} us, p99 {Micros(0.99):F1} us, p999 {Micros(0.999):F1} us");
}

async Task<string> RunAsync<TBody, TInfo>(PeerListener<TBody, TInfo> listener, Func<PeerListener<TBody, TInfo>, Task<PeerHandle<TBody>>> connect)
    where TBody : IMessageBody<TBody>
    where TInfo : ConnectionInfo
{
    await using (listener)
    {
        var accept = listener.AcceptAsync().AsTask();
        await using var client = await connect(listener);
        var (server, _) = await accept;
        await using (server)
        {
            var serving = ServeAsync(server);
            var payload = TBody.FromBytes(new byte[bodySize]);

            // Warm-up, then the measured run.
            await LoadAsync(client, payload, Math.Min(requests / 10, 20_000), new long[Math.Min(requests / 10, 20_000)]);
            var latencies = new long[requests];
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Environment.CpuUsage;
            var elapsed = Stopwatch.StartNew();
            await LoadAsync(client, payload, requests, latencies);
            elapsed.Stop();
            var cpuAfter = Environment.CpuUsage;
            var cpu = cpuAfter.TotalTime - cpuBefore.TotalTime;
            var kernel = cpuAfter.PrivilegedTime - cpuBefore.PrivilegedTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

            await client.CloseAsync();
            await serving;
            Array.Sort(latencies);
            double Micros(double quantile) => latencies[(int)Math.Min(latencies.Length - 1, quantile * latencies.Length)] * 1e6 / Stopwatch.Frequency;
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{transport}, {inFlight} in flight, {bodySize} B bodies, {requests} requests: {requests / elapsed.Elapsed.TotalSeconds:F0} requests/s, " +
                $"p50 {Micros(0.5):F1} us, p99 {Micros(0.99):F1} us, p999 {Micros(0.999):F1} us, " +
                $"{(double)allocated / requests:F0} B allocated and {cpu.TotalMicroseconds / requests:F2} us CPU per request ({kernel.TotalMicroseconds / requests:F2} us in the kernel; both sides)");
        }
    }
}

async Task LoadAsync<TBody>(PeerHandle<TBody> client, TBody payload, int count, long[] latencies)
    where TBody : IMessageBody<TBody>
{
    var next = -1;
    var workers = new Task[inFlight];
    for (var w = 0; w < workers.Length; w++)
    {
        workers[w] = Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                var request = await client.SendRequestAsync(1, TBody.FromBytes(payload.Data));
                using var response = (await request.ReceiveResponseAsync()).Body;
                latencies[index] = Stopwatch.GetTimestamp() - started;
            }
        });
    }

    await Task.WhenAll(workers);
}

static async Task ServeAsync<TBody>(PeerHandle<TBody> server)
    where TBody : IMessageBody<TBody>
{
    await foreach (var message in server.ReadMessagesAsync())
    {
        if (message.Request is { } request)
            await request.SendResponseAsync(0, request.Body); // answered in order on the read task: no task per request
    }
}
