using System.Net;
using System.Net.Sockets;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Transports;

/// <summary>
/// A real listener of either byte-stream transport that a test keeps for several connections (a hostile one, then a
/// fresh one that must still be served). Disposing it stops listening and removes its temp folder.
/// </summary>
internal sealed class TestListener : IAsyncDisposable
{
    private readonly TcpPeerListener? _tcp;
    private readonly UnixStreamPeerListener? _unix;
    private readonly TempFolder? _folder;

    private TestListener(LoopbackKind kind, TcpPeerListener? tcp, UnixStreamPeerListener? unix, TempFolder? folder)
    {
        Kind = kind;
        _tcp = tcp;
        _unix = unix;
        _folder = folder;
    }

    public LoopbackKind Kind { get; }

    /// <summary>Where clients connect.</summary>
    public EndPoint EndPoint => _tcp is not null ? _tcp.LocalEndPoint : new UnixDomainSocketEndPoint(_unix!.Path);

    public static async Task<TestListener> StartAsync(LoopbackKind kind, StreamConfig? config = null, PeerOptions? options = null)
    {
        if (kind == LoopbackKind.Tcp)
            return new TestListener(kind, await TcpPeer.BindAsync("127.0.0.1:0", config, options), null, null);
        var folder = TempFolder.Create();
        try
        {
            return new TestListener(kind, null, await UnixStreamPeer.BindAsync(folder.SocketPath, config, options), folder);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Accepts the next connection (failing after the timeout instead of hanging).</summary>
    public async Task<PeerHandle<StreamBody>> AcceptAsync()
    {
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        return await AcceptAsync(timeout.Token);
    }

    /// <summary>Accepts the next connection, as long as <paramref name="cancellationToken"/> allows.</summary>
    public async Task<PeerHandle<StreamBody>> AcceptAsync(CancellationToken cancellationToken) =>
        _tcp is not null
            ? (await _tcp.AcceptAsync(cancellationToken)).Peer
            : (await _unix!.AcceptAsync(cancellationToken)).Peer;

    /// <summary>The listener's own endless accept loop, one handle per connection.</summary>
    public async IAsyncEnumerable<PeerHandle<StreamBody>> AcceptAllAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_tcp is not null)
        {
            await foreach (var accepted in _tcp.AcceptAllAsync(cancellationToken))
                yield return accepted.Peer;
        }
        else
        {
            await foreach (var accepted in _unix!.AcceptAllAsync(cancellationToken))
                yield return accepted.Peer;
        }
    }

    /// <summary>Connects a library client.</summary>
    public Task<PeerHandle<StreamBody>> ConnectAsync(StreamConfig? config = null, PeerOptions? options = null) =>
        _tcp is not null
            ? TcpPeer.ConnectAsync(_tcp.LocalEndPoint, config, options).WithTimeout()
            : UnixStreamPeer.ConnectAsync(_unix!.Path, config, options).WithTimeout();

    /// <summary>Connects a raw socket and returns it with the peer the listener accepted for it.</summary>
    public async Task<(Socket Raw, PeerHandle<StreamBody> Server)> ConnectRawAsync()
    {
        var socket = _tcp is not null
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            var accept = AcceptAsync();
            await socket.ConnectAsync(EndPoint).WithTimeout();
            return (socket, await accept);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects a library client and accepts it: a fresh pair from this listener.</summary>
    public async Task<(PeerHandle<StreamBody> Client, PeerHandle<StreamBody> Server)> ConnectPairAsync(
        StreamConfig? config = null,
        PeerOptions? options = null)
    {
        var accept = AcceptAsync();
        var client = await ConnectAsync(config, options);
        return (client, await accept);
    }

    /// <summary>A fresh connection from this listener carries a request and its echoed response.</summary>
    public async Task AssertEchoAsync()
    {
        var (client, server) = await ConnectPairAsync();
        await using (client)
        await using (server)
        {
            await AssertEchoAsync(client, server);
        }
    }

    /// <summary><paramref name="client"/>'s request comes back from <paramref name="server"/> as its response.</summary>
    public static async Task AssertEchoAsync(PeerHandle<StreamBody> client, PeerHandle<StreamBody> server)
    {
        var sent = await client.SendRequestAsync(11, StreamBody.FromString("echo me"));
        var received = await server.ReceiveMessageAsync().WithTimeout();
        Assert.That(received.IsRequest, Is.True);
        await received.Request!.SendResponseAsync(received.Request.ServiceId, received.Request.Body);
        var response = await sent.ReceiveResponseAsync().WithTimeout();
        Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(sent.RequestId, 11)));
        Assert.That(response.Body.ToUtf8String(), Is.EqualTo("echo me"));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_tcp is not null)
                await _tcp.DisposeAsync();
            if (_unix is not null)
                await _unix.DisposeAsync();
        }
        finally
        {
            _folder?.Dispose();
        }
    }
}
