using BenchmarkDotNet.Attributes;
using FizyrRpc.Transports;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>
/// One call at a time over a real loopback TCP connection: the generated client and server (<see cref="Typed"/>)
/// against the same request and response, MessagePack-encoded, through the raw handles (<see cref="Raw"/>).
/// The allocation difference is what the typed layer costs per call.
/// </summary>
[MemoryDiagnoser]
public class TypedCallBenchmarks : ISmokeCheck
{
    private static readonly AddArgs Args = new(2, 3);

    private readonly MessagePackFormat _format = MessagePackFormat.Default;
    private TcpPeerListener? _listener;
    private IAdder.Client? _typedClient;
    private Task? _typedServe;
    private PeerHandle<StreamBody>? _rawClient;
    private PeerHandle<StreamBody>? _rawServer;
    private Task? _rawServe;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    [Benchmark]
    public Task<int> Typed() => _typedClient!.AddAsync(Args);

    [Benchmark(Baseline = true)]
    public async Task<int> Raw()
    {
        using var sent = await _rawClient!.SendRequestAsync(1, StreamBody.FromBytes(_format.Encode(Args)), default).ConfigureAwait(false);
        var response = await sent.ReceiveResponseAsync(default).ConfigureAwait(false);
        using (response.Body)
            return _format.Decode<int>(response.ThrowIfError().Body.Data);
    }

    public string? Check(string method, object? result)
    {
        if (method is not (nameof(Typed) or nameof(Raw)))
            return $"no check for {method}";
        if (result is not Task<int> call)
            return $"returned {result?.GetType().Name ?? "null"}";
        var sum = call.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        return sum == Args.A + Args.B ? null : $"answered {sum}, expected {Args.A + Args.B}";
    }

    private async Task SetupAsync()
    {
        _listener = await TcpPeer.BindAsync("127.0.0.1:0", null, null);
        var port = _listener.LocalEndPoint.Port;

        var typedConnect = TcpPeer.ConnectAsync($"127.0.0.1:{port}", null, null, default);
        var (typedServer, _) = await _listener.AcceptAsync(default);
        _typedClient = new IAdder.Client(await typedConnect);
        _typedServe = new AdderServer().ServeAsync(typedServer);

        var rawConnect = TcpPeer.ConnectAsync($"127.0.0.1:{port}", null, null, default);
        (_rawServer, _) = await _listener.AcceptAsync(default);
        _rawClient = await rawConnect;
        _rawServe = ServeRawAsync(_rawServer);
    }

    /// <summary>What a hand-written server does: decode, add, encode, answer; one request at a time.</summary>
    private async Task ServeRawAsync(PeerHandle<StreamBody> peer)
    {
        try
        {
            while (true)
            {
                var message = await peer.ReceiveMessageAsync(default).ConfigureAwait(false);
                if (message.Request is not { } request)
                {
                    message.Message.Body.Dispose();
                    continue;
                }

                await using (request.ConfigureAwait(false))
                {
                    var args = _format.Decode<AddArgs>(request.Body.Data);
                    await request.SendResponseAsync(1, StreamBody.FromBytes(_format.Encode(args.A + args.B)), default).ConfigureAwait(false);
                }
            }
        }
        catch (ConnectionClosedException)
        {
            // The benchmark is over.
        }
    }

    private async Task CleanupAsync()
    {
        if (_typedClient is not null)
            await _typedClient.DisposeAsync();
        if (_rawClient is not null)
            await _rawClient.DisposeAsync();
        if (_typedServe is not null)
            await _typedServe.WaitAsync(TimeSpan.FromSeconds(10));
        if (_rawServe is not null)
            await _rawServe.WaitAsync(TimeSpan.FromSeconds(10));
        if (_rawServer is not null)
            await _rawServer.DisposeAsync();
        if (_listener is not null)
            await _listener.DisposeAsync();
    }
}
