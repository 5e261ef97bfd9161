using System.Buffers;
using System.Net.Sockets;
using FizyrRpc.Tests.Peer;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Teardown;

/// <summary>
/// The teardown holes of issue 11, each shown over real sockets: every test here failed on the engine before its fix
/// (start commit 8371848).
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class TeardownHoleTests(LoopbackKind kind)
{
    [Test]
    public async Task AnAbortClosesTheSocketBeforeThePendingWritesBodyGoesBackToItsPool()
    {
        // The remote never reads and both socket buffers are small, so the 4 MiB body stays in a pending send. A
        // malformed frame from the remote then aborts the connection. The pool records, when the body comes back,
        // whether the socket was already closed: a socket still open could yet send from the array the pool lends on.
        using var sockets = await Loopback.SocketPairAsync(kind);
        sockets.Server.SendBufferSize = 4096;
        sockets.Client.ReceiveBufferSize = 4096;
        const int Length = 4 << 20;
        var pool = new SocketWatchingPool(sockets.Server);
        var peer = global::FizyrRpc.Peer.Start(
            new StreamTransport(sockets.Server, new StreamConfig { MaxBodyLengthWrite = Length }, sockets.ServerInfo));
        await using var owned = peer;

        await peer.SendStreamAsync(1, StreamBody.Rent(pool, Length, out _)).Within();
        await sockets.Client.SendAsync(new byte[] { 11, 0, 0, 0 }); // a length below the header's: fatal
        await peer.Completion.Within();

        Assert.That(peer.CloseError?.Reason, Is.EqualTo(CloseReason.ProtocolError));
        Assert.That(pool.Returns, Is.EqualTo(1), "the body went back once");
        Assert.That(pool.ReturnedWhileSocketOpen, Is.False, "the body went back to its pool before the socket was closed");
    }

    [Test]
    public async Task EveryWaiterGetsItsOwnCloseErrorWithTheSameReason()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var first = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var second = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var waits = new Task[] { first.ReceiveResponseAsync().AsTask(), second.ReceiveResponseAsync().AsTask(), pair.Client.ReceiveMessageAsync().AsTask() };

        await pair.Server.CloseAsync().Within();
        var errors = new List<ConnectionClosedException>();
        foreach (var wait in waits)
            errors.Add(await TestWaits.ThrowsAsync<ConnectionClosedException>(() => wait));

        Assert.That(errors.Select(e => e.Reason), Is.All.EqualTo(pair.Client.CloseError!.Reason));
        Assert.That(errors.Distinct(ReferenceEqualityComparer.Instance).Count(), Is.EqualTo(errors.Count), "one instance per waiter");
        Assert.That(errors, Has.None.SameAs(pair.Client.CloseError));
    }

    [Test]
    public async Task OptionsChangedAfterAConnectionIsMadeDoNotReachIt()
    {
        var options = new PeerOptions();
        await using var pair = await Loopback.PairAsync(kind, options: options);
        options.UpdateQueueCapacity = 0; // read live, this stalled the read loop at the first update
        options.IncomingQueueCapacity = 0;

        var request = await pair.Client.SendRequestAsync(1, StreamBody.Empty).Within();
        var received = await pair.Server.ReceiveRequestAsync();
        await request.SendUpdateAsync(2, new byte[] { 2 }).Within();
        var update = await received.ReceiveUpdateAsync().Within();
        await received.SendResponseAsync(3, StreamBody.Empty).Within();
        var response = await request.ReceiveResponseAsync().Within();

        Assert.That(update?.Header, Is.EqualTo(MessageHeader.RequesterUpdate(request.RequestId, 2)));
        Assert.That(response.Header, Is.EqualTo(MessageHeader.Response(request.RequestId, 3)));
    }

    [Test]
    public void TheDefaultsAreNotSharedInstances()
    {
        Assert.That(PeerOptions.Default, Is.Not.SameAs(PeerOptions.Default));
        Assert.That(StreamConfig.Default, Is.Not.SameAs(StreamConfig.Default));
        Assert.That(UnixConfig.Default, Is.Not.SameAs(UnixConfig.Default));
    }

    [Test]
    public async Task InvalidOptionsAreRefusedBeforeAListenerExists()
    {
        // Accepted, a connection with these options failed to start and its socket was never closed.
        var invalid = new PeerOptions { IncomingQueueCapacity = 0 };
        using var folder = TempFolder.Create();
        Task Bind() => kind == LoopbackKind.Tcp
            ? TcpPeer.BindAsync("127.0.0.1:0", options: invalid).AsTask()
            : UnixStreamPeer.BindAsync(folder.SocketPath, options: invalid).AsTask();

        Assert.That(await Catch(Bind), Is.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(File.Exists(folder.SocketPath), Is.False, "no socket was bound");
    }

    [Test]
    public async Task AnEndOfStreamInsideAFrameIsNotACleanHangUp()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var reading = Drain(raw.Peer);

        await raw.SendAsync(RawPeer.Frame(MessageHeader.Stream(1), new byte[100], raw.Endian)[..50]);
        raw.Socket.Shutdown(SocketShutdown.Send);

        var error = await TestWaits.ThrowsAsync<ConnectionClosedException>(() => reading);
        Assert.That(error.Reason, Is.EqualTo(CloseReason.EndedMidMessage));
        Assert.That(raw.Peer.CloseError?.Reason, Is.EqualTo(CloseReason.EndedMidMessage));
    }

    [Test]
    public async Task ACleanEndOfStreamStillEndsTheReadQuietly()
    {
        await using var raw = await Loopback.RawAsync(kind);
        var reading = Drain(raw.Peer);

        await raw.SendFrameAsync(MessageHeader.Stream(1), new byte[] { 1 });
        raw.Socket.Shutdown(SocketShutdown.Send);

        Assert.That(await reading.Within(), Is.EqualTo(1));
        Assert.That(raw.Peer.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedByRemote));
    }

    [Test]
    public async Task AReceiveWithACancelledTokenStillSaysWhyTheConnectionEnded()
    {
        // A server stopping (its token cancelled) right after a connection failed must still see why it failed: this
        // is what made AProtocolErrorEndsOnlyThatConnectionAndIsLogged flaky.
        await using var raw = await Loopback.RawAsync(kind);
        await raw.SendAsync(new byte[] { 11, 0, 0, 0 });
        await raw.Peer.Completion.Within();

        var error = await TestWaits.ThrowsAsync<ConnectionClosedException>(
            () => raw.Peer.ReceiveMessageAsync(new CancellationToken(canceled: true)).AsTask());
        Assert.That(error.Reason, Is.EqualTo(CloseReason.ProtocolError));
    }

    private static async Task<int> Drain(PeerHandle<StreamBody> peer)
    {
        var count = 0;
        await foreach (var message in peer.ReadMessagesAsync())
        {
            message.Message.Body.Dispose();
            count++;
        }

        return count;
    }

    private static async Task<Exception?> Catch(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }

    /// <summary>Lends arrays, and records whether each came back while the socket was still open.</summary>
    private sealed class SocketWatchingPool(Socket socket) : ArrayPool<byte>
    {
        private int _returns;
        private int _returnedWhileOpen;

        public int Returns => Volatile.Read(ref _returns);

        public bool ReturnedWhileSocketOpen => Volatile.Read(ref _returnedWhileOpen) != 0;

        public override byte[] Rent(int minimumLength) => new byte[minimumLength];

        public override void Return(byte[] array, bool clearArray = false)
        {
            if (!IsClosed(socket))
                Volatile.Write(ref _returnedWhileOpen, 1);
            Interlocked.Increment(ref _returns);
        }

        private static bool IsClosed(Socket socket)
        {
            try
            {
                _ = socket.Available;
                return false;
            }
            catch (ObjectDisposedException)
            {
                return true;
            }
        }
    }
}
