using FizyrRpc.Samples.Conformance;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Cli;

/// <summary>
/// The conformance sample's server (samples/Conformance) on a fresh listener, for the tool to talk to: TCP on
/// 127.0.0.1:0 or a Unix socket in a temp folder. Also gives the tool's address of it and of other sockets in its folder.
/// </summary>
public sealed class CliServer : IAsyncDisposable
{
    private readonly IAsyncDisposable _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly TempFolder _folder;
    private readonly Task _running;

    private CliServer(EndpointKind kind, string target, IAsyncDisposable listener, TempFolder folder, Func<CancellationToken, Task> run)
    {
        Kind = kind;
        Target = target;
        _listener = listener;
        _folder = folder;
        _running = run(_stop.Token);
    }

    public EndpointKind Kind { get; }

    /// <summary>"127.0.0.1:PORT" or the socket path.</summary>
    public string Target { get; }

    /// <summary>The server's address as the tool takes it.</summary>
    public string Address => AddressOf(Kind, Target);

    /// <summary>A fresh address of the same transport that nothing listens on yet (port 0 for TCP).</summary>
    public string FreeAddress(string name) => AddressOf(Kind, Kind == EndpointKind.Tcp ? "127.0.0.1:0" : Path.Combine(_folder.FolderPath, name));

    /// <summary>A file path in the server's temp folder.</summary>
    public string FilePath(string name) => Path.Combine(_folder.FolderPath, name);

    public static string AddressOf(EndpointKind kind, string target) => kind switch
    {
        EndpointKind.Tcp => "tcp://" + target,
        EndpointKind.UnixStream => "unix:" + target,
        _ => "unix-seqpacket:" + target,
    };

    public static async Task<CliServer> StartAsync(EndpointKind kind)
    {
        if (kind == EndpointKind.UnixSeqpacket && !UnixSeqpacketPeer.IsSupported)
            Assert.Ignore("Unix seqpacket sockets are not supported here.");
        var folder = TempFolder.Create();
        var log = TextWriter.Null;
        try
        {
            switch (kind)
            {
                case EndpointKind.Tcp:
                {
                    var listener = await TcpPeer.BindAsync("127.0.0.1:0", Scenario.CreateStreamConfig());
                    return new CliServer(kind, listener.LocalEndPoint.ToString(), listener, folder, ct => ConformanceServer.RunAsync(listener, log, ct));
                }
                case EndpointKind.UnixStream:
                {
                    var listener = await UnixStreamPeer.BindAsync(folder.SocketPath, Scenario.CreateStreamConfig());
                    return new CliServer(kind, folder.SocketPath, listener, folder, ct => ConformanceServer.RunAsync(listener, log, ct));
                }
                default:
                {
                    var listener = await UnixSeqpacketPeer.BindAsync(folder.SocketPath, Scenario.CreateUnixConfig());
                    return new CliServer(kind, folder.SocketPath, listener, folder, ct => ConformanceServer.RunAsync(listener, log, ct));
                }
            }
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Connects the library to <paramref name="address"/> (a tool's tcp://, unix: or unix-seqpacket: address) and runs <paramref name="client"/> on it.</summary>
    public static async Task ConnectAsync(string address, IClient client)
    {
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        if (address.StartsWith("tcp://", StringComparison.Ordinal))
        {
            await using var peer = await TcpPeer.ConnectAsync(address["tcp://".Length..], Scenario.CreateStreamConfig(), null, timeout.Token);
            await client.RunAsync(peer);
        }
        else if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            await using var peer = await UnixStreamPeer.ConnectAsync(address["unix:".Length..], Scenario.CreateStreamConfig(), null, timeout.Token);
            await client.RunAsync(peer);
        }
        else
        {
            await using var peer = await UnixSeqpacketPeer.ConnectAsync(address["unix-seqpacket:".Length..], Scenario.CreateUnixConfig(), null, timeout.Token);
            await client.RunAsync(peer);
        }
    }

    /// <summary>What a test does with a library connection, whatever its body type.</summary>
    public interface IClient
    {
        Task RunAsync<TBody>(PeerHandle<TBody> peer)
            where TBody : IMessageBody<TBody>;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.WaitAsync(Loopback.Timeout);
        await _listener.DisposeAsync();
        _folder.Dispose();
        _stop.Dispose();
    }
}
