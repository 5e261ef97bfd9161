using System.Runtime.InteropServices;
using FizyrRpc;
using FizyrRpc.Transports;
using LoadGenerator.Typed;

/// <summary>
/// The typed echo server on its own, for a load generator in another process (benchmarks/native):
/// <c>serve-typed (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH)</c>. Prints "listening on ADDRESS"
/// (HOST:PORT, or unix:PATH) once bound, then serves every connection with the generated server base
/// (<see cref="TypedEchoServer{TBody}"/>, MessagePack bodies) until SIGTERM, SIGINT or its standard input closes.
/// The settings are the conformance sample's, so the two servers differ only in the layer that answers.
/// </summary>
internal static class TypedServe
{
    public const string Command = "serve-typed";

    private const string Usage = $"usage: {Command} (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH)";

    // As samples/Conformance: 16 MiB bodies on the byte streams, 128 KiB on seqpacket.
    private static readonly StreamConfig StreamSettings = new() { MaxBodyLengthRead = 16 << 20, MaxBodyLengthWrite = 16 << 20 };
    private static readonly UnixConfig SeqpacketSettings = new() { MaxBodyLengthRead = 128 << 10, MaxBodyLengthWrite = 128 << 10 };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [Command, var option, var address])
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
