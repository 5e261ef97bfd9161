using System.Runtime.InteropServices;
using FizyrRpc;
using FizyrRpc.Transports;
using LoadGenerator.Typed;

/// <summary>
/// Echo servers on their own, for a load generator in another process (benchmarks/native). Each prints
/// "listening on ADDRESS" (HOST:PORT, or unix:PATH) once bound and serves until SIGTERM, SIGINT or its standard input
/// closes.
/// <list type="bullet">
/// <item><c>serve-typed (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH)</c>: the generated server base
/// (<see cref="TypedEchoServer{TBody}"/>, MessagePack bodies) on every connection, with the conformance sample's
/// settings, so that the two servers differ only in the layer that answers.</item>
/// <item><c>serve-grpc --tcp 127.0.0.1:0</c>: the gRPC echo on Kestrel (<see cref="GrpcLoad.StartServerAsync"/>), HTTP/2
/// without TLS on a free port.</item>
/// </list>
/// A trailing <c>--metrics</c> attaches a listener to the <c>FizyrRpc</c> meter (<see cref="MetricsSink"/>).
/// </summary>
internal static class Serve
{
    public const string TypedCommand = "serve-typed";

    public const string GrpcCommand = "serve-grpc";

    private const string Usage = $"usage: {TypedCommand} (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH) | {GrpcCommand} --tcp 127.0.0.1:0";

    // As samples/Conformance: 16 MiB bodies on the byte streams, 128 KiB on seqpacket (Drive's clients use them too).
    internal static readonly StreamConfig StreamSettings = new() { MaxBodyLengthRead = 16 << 20, MaxBodyLengthWrite = 16 << 20 };
    internal static readonly UnixConfig SeqpacketSettings = new() { MaxBodyLengthRead = 128 << 10, MaxBodyLengthWrite = 128 << 10 };

    public static async Task<int> RunAsync(string[] args)
    {
        // --metrics: a listener on every FizyrRpc instrument, summing what it is given (what an exporter does first),
        // to measure the cost of metrics with someone listening (docs/PERFORMANCE.md).
        using var metrics = args.Contains("--metrics") ? MetricsSink.Start() : null;
        args = [.. args.Where(arg => arg != "--metrics")];
        if (args is not [TypedCommand or GrpcCommand, var option, var address] || (args[0] == GrpcCommand && args[1..] is not ["--tcp", "127.0.0.1:0"]))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        // The driver may also just close our standard input.
        _ = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync() is not null)
            {
            }

            await stop.CancelAsync();
        });

        if (args[0] == GrpcCommand)
            return await ServeGrpcAsync(stop.Token);

        switch (option)
        {
            case "--tcp":
            {
                await using var listener = await TcpPeer.BindAsync(address, StreamSettings);
                return await ServeAsync(listener, listener.LocalEndPoint.ToString()!, stop.Token);
            }

            case "--unix-stream":
            {
                await using var listener = await UnixStreamPeer.BindAsync(address, StreamSettings);
                return await ServeAsync(listener, $"unix:{address}", stop.Token);
            }

            case "--unix-seqpacket":
            {
                await using var listener = await UnixSeqpacketPeer.BindAsync(address, SeqpacketSettings);
                return await ServeAsync(listener, $"unix:{address}", stop.Token);
            }

            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<int> ServeGrpcAsync(CancellationToken stop)
    {
        var (app, address) = await GrpcLoad.StartServerAsync(inFlight: 1024);
        await using (app)
        {
            Console.WriteLine($"listening on {new Uri(address).Authority}");
            Console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping.
            }

            await app.StopAsync(CancellationToken.None);
        }

        return 0;
    }

    private static async Task<int> ServeAsync<TBody, TInfo>(PeerListener<TBody, TInfo> listener, string address, CancellationToken stop)
        where TBody : IMessageBody<TBody>
        where TInfo : ConnectionInfo
    {
        Console.WriteLine($"listening on {address}");
        Console.Out.Flush();
        var serving = new List<Task>();
        try
        {
            await foreach (var (peer, _) in listener.AcceptAllAsync(stop))
            {
                serving.RemoveAll(task => task.IsCompleted);
                serving.Add(new TypedEchoServer<TBody>().ServeAsync(peer, stop));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: the connections end with the same token.
        }

        await Task.WhenAll(serving);
        return 0;
    }
}
