using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Limits;

/// <summary>
/// A <see cref="MemoryBudget"/> bounds what many connections hold together, beyond each one's own bounds; a listener
/// makes one by default; a connection gives back what it held when it ends; <see cref="PeerOptions.MaxConnections"/>
/// holds accepting back.
/// </summary>
public class MemoryBudgetTests
{
    private const int LargeBody = 128 << 10;
    private const int Flood = 256;

    [Test]
    public async Task TwoConnectionsFloodingTogetherHoldAtMostTheSharedBudget()
    {
        // Each connection alone may hold 8 MiB; together they share 512 KiB: three 128 KiB bodies queued, plus at most one
        // arriving per connection (and one more for a moment while a body grows, per connection): seven at most, and
        // the flood stalls with four or more out (a connection waiting to start a body holds none). Without the shared
        // budget they would hold sixty-odd between them.
        var budget = new MemoryBudget(512 << 10);
        var pool = new HeldArrays(stall: 4, bound: 7);
        var config = new StreamConfig { MaxBodyLengthRead = LargeBody, LargeBodyPool = pool };
        var options = new PeerOptions { MaxIncomingQueueBytes = 8 << 20, IncomingQueueCapacity = 10_000, MemoryBudget = budget };
        using var first = await PinnedSocketsAsync();
        using var second = await PinnedSocketsAsync();
        var servers = new[]
        {
            global::FizyrRpc.Peer.Start(new StreamTransport(first.Server, config, first.ServerInfo), options),
            global::FizyrRpc.Peer.Start(new StreamTransport(second.Server, config, second.ServerInfo), options),
        };

        var sending = new[]
        {
            Task.Run(() => ByteBoundTests.SendStreamsAsync(first.Client, Flood, LargeBody)),
            Task.Run(() => ByteBoundTests.SendStreamsAsync(second.Client, Flood, LargeBody)),
        };
        await Task.WhenAny(Task.WhenAll(sending), pool.ReachedStall, pool.WentPastBound).Within();
        Assert.That(pool.MaxOutstanding, Is.LessThanOrEqualTo(7), "bodies held by both connections while nobody read");
        Assert.That(budget.Used, Is.LessThanOrEqualTo(budget.Limit + LargeBody + MessageHeader.Size));

        // Both are served in full once read, then both end: the budget gets back everything, read or not.
        foreach (var server in servers)
        {
            var received = await server.ReceiveMessageAsync().Within();
            received.Message.Body.Dispose();
        }

        await Task.WhenAll(servers.Select(async server =>
        {
            for (var i = 1; i < Flood; i++)
            {
                var received = await server.ReceiveMessageAsync().Within();
                received.Message.Body.Dispose(); // before the next, so the test itself holds none
                Assert.That(received.Message.Header, Is.EqualTo(MessageHeader.Stream(i)));
            }
        })).Within();
        await Task.WhenAll(sending).Within();
        foreach (var server in servers)
            await server.DisposeAsync();
        await Task.WhenAll(servers.Select(server => server.Completion)).Within();
        Assert.That(budget.Used, Is.Zero, "every byte given back");
    }

    [Test]
    public async Task AConnectionThatEndsWithUnreadMessagesGivesTheirBytesBack()
    {
        var budget = new MemoryBudget(64 << 20);
        var options = new PeerOptions { MemoryBudget = budget };
        await using var raw = await Loopback.RawAsync(LoopbackKind.Tcp, null, options);
        for (var i = 0; i < 10; i++)
            await raw.SendFrameAsync(MessageHeader.Stream(i), new byte[1000]);
        var first = await raw.Peer.ReceiveMessageAsync().Within(); // the rest stays queued, unread
        first.Message.Body.Dispose();
        raw.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        await raw.Peer.CloseAsync().Within();
        Assert.That(budget.Used, Is.Zero);
    }

    [Test]
    public async Task AListenerWithoutABudgetMakesOneOfTheDefaultLimit()
    {
        await using var listener = await TcpPeer.BindAsync("127.0.0.1:0");
        Assert.That(listener.Options.MemoryBudget, Is.Not.Null);
        Assert.That(listener.Options.MemoryBudget!.Limit, Is.EqualTo(MemoryBudget.DefaultLimit));
        Assert.That(MemoryBudget.DefaultLimit, Is.GreaterThanOrEqualTo(16L << 20));
    }

    [Test]
    public async Task AtMaxConnectionsTheListenerAcceptsOnlyOnceOneHasEnded()
    {
        await using var listener = await TcpPeer.BindAsync("127.0.0.1:0", null, new PeerOptions { MaxConnections = 1 });
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        var firstAccept = listener.AcceptAsync(timeout.Token).AsTask();
        await using var firstClient = await TcpPeer.ConnectAsync(listener.LocalEndPoint, cancellationToken: timeout.Token);
        var first = await firstAccept.Within();
        Assert.That(listener.OpenConnections, Is.EqualTo(1));

        var secondAccept = listener.AcceptAsync(timeout.Token).AsTask();
        await using var secondClient = await TcpPeer.ConnectAsync(listener.LocalEndPoint, cancellationToken: timeout.Token); // the backlog takes it
        // A round trip on the first connection: the process has moved on, and still the second is not accepted.
        await firstClient.SendStreamAsync(1, new byte[] { 1 });
        (await first.Peer.ReceiveMessageAsync().Within()).Message.Body.Dispose();
        Assert.That(secondAccept.IsCompleted, Is.False, "a second connection was accepted at MaxConnections = 1");

        await first.Peer.DisposeAsync();
        await first.Peer.Completion.Within();
        var second = await secondAccept.Within();
        await using (second.Peer)
        {
            await secondClient.SendStreamAsync(2, new byte[] { 2 });
            (await second.Peer.ReceiveMessageAsync().Within()).Message.Body.Dispose();
        }
    }

    private static async Task<SocketPair> PinnedSocketsAsync()
    {
        var sockets = await Loopback.SocketPairAsync(LoopbackKind.Tcp);
        foreach (var socket in new[] { sockets.Server, sockets.Client })
        {
            socket.SendBufferSize = 64 << 10;
            socket.ReceiveBufferSize = 64 << 10;
        }

        return sockets;
    }
}
