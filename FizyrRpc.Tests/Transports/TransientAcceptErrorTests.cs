using System.Net;
using System.Net.Sockets;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Transports;

/// <summary>
/// The accept loop of <see cref="PeerListener{TBody, TInfo}"/>: a transient error is counted and accepting goes on
/// (also after a resource shortage, which backs off first); any other error reaches the caller.
/// </summary>
public class TransientAcceptErrorTests
{
    [Test]
    public async Task TransientErrorIsCountedAndTheConnectionStillComesThrough()
    {
        await using var listener = new ScriptedListener(new SocketException((int)SocketError.ConnectionAborted));

        var accept = listener.AcceptAsync().AsTask();
        await using var client = await TcpPeer.ConnectAsync(listener.EndPoint).WithTimeout();
        var (server, info) = await accept.WithTimeout();
        await using var _ = server;

        Assert.That(listener.TransientErrorCount, Is.EqualTo(1));
        Assert.That(listener.Attempts, Is.EqualTo(2));
        Assert.That(info.RemoteEndPoint, Is.EqualTo(((FizyrRpc.Transports.TcpConnectionInfo)client.ConnectionInfo!).LocalEndPoint));
        await TestListener.AssertEchoAsync(client, server);
    }

    [Test]
    public async Task ResourceShortageBacksOffAndAcceptingGoesOn()
    {
        await using var listener = new ScriptedListener(
            new SocketException((int)SocketError.TooManyOpenSockets),
            new SocketException((int)SocketError.TooManyOpenSockets));

        var accept = listener.AcceptAsync().AsTask();
        await using var client = await TcpPeer.ConnectAsync(listener.EndPoint).WithTimeout();
        var (server, _) = await accept.WithTimeout();
        await using var __ = server;

        Assert.That(listener.TransientErrorCount, Is.EqualTo(2));
        await TestListener.AssertEchoAsync(client, server);
    }

    [Test]
    public async Task NonTransientErrorIsThrownToTheCaller()
    {
        await using var listener = new ScriptedListener(new SocketException((int)SocketError.AccessDenied));

        var error = await Await.ThrowsAsync<SocketException>(() => listener.AcceptAsync().AsTask());

        Assert.That(error.SocketErrorCode, Is.EqualTo(SocketError.AccessDenied));
        Assert.That(listener.TransientErrorCount, Is.Zero);
        Assert.That(listener.Attempts, Is.EqualTo(1), "no retry after an error that is not transient");

        // The caller decides what comes next; the listener itself still works.
        var accept = listener.AcceptAsync().AsTask();
        await using var client = await TcpPeer.ConnectAsync(listener.EndPoint).WithTimeout();
        var (server, _) = await accept.WithTimeout();
        await using var __ = server;
        await TestListener.AssertEchoAsync(client, server);
    }

    [Test]
    public async Task ErrorOfAnotherKindIsThrownToTheCaller()
    {
        await using var listener = new ScriptedListener(new InvalidOperationException("broken"));

        var error = await Await.ThrowsAsync<InvalidOperationException>(() => listener.AcceptAsync().AsTask());

        Assert.That(error.Message, Is.EqualTo("broken"));
        Assert.That(listener.TransientErrorCount, Is.Zero);
    }

    /// <summary>
    /// A TCP listener whose accepts first fail with the given errors, then accept for real. Connection-aborted,
    /// connection-reset and out-of-descriptors errors are transient; the last is a resource shortage.
    /// </summary>
    internal sealed class ScriptedListener : PeerListener<StreamBody, TcpConnectionInfo>
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Queue<Exception> _failures;
        private int _attempts;

        public ScriptedListener(params Exception[] failures)
            : this(null, failures)
        {
        }

        public ScriptedListener(PeerOptions? options, params Exception[] failures)
            : base(options)
        {
            _failures = new Queue<Exception>(failures);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _socket.Listen(8);
        }

        public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

        public int Attempts => Volatile.Read(ref _attempts);

        protected override async ValueTask<(IPeerTransport<StreamBody> Transport, TcpConnectionInfo Info)> AcceptTransportAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            lock (_failures)
            {
                if (_failures.TryDequeue(out var failure))
                    throw failure;
            }

            var socket = await _socket.AcceptAsync(cancellationToken);
            var info = new TcpConnectionInfo((IPEndPoint)socket.LocalEndPoint!, (IPEndPoint)socket.RemoteEndPoint!);
            return (new StreamTransport(socket, null, info), info);
        }

        protected override bool IsTransient(Exception error) =>
            error is SocketException { SocketErrorCode: SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.TooManyOpenSockets };

        protected override bool IsResourceShortage(Exception error) =>
            error is SocketException { SocketErrorCode: SocketError.TooManyOpenSockets };

        protected override ValueTask DisposeCoreAsync()
        {
            _socket.Dispose();
            return default;
        }
    }
}
