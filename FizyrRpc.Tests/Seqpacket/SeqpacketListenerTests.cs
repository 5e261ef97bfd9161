using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// The seqpacket listener's socket file and connection information: a stale socket file is replaced, any other file is
/// refused and left intact, disposing the listener removes its socket file (accepted connections go on), the listener's
/// configuration reaches the accepted peers, and both ends report this process's credentials.
/// </summary>
public class SeqpacketListenerTests : SeqpacketFixture
{
    [TestCase(SocketType.Seqpacket)]
    [TestCase(SocketType.Stream)]
    public async Task AStaleSocketFileIsReplaced(SocketType staleType)
    {
        using var folder = TempFolder.Create();
        CreateStaleSocketFile(folder.SocketPath, staleType);
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified))
        {
            var refused = Assert.Throws<SocketException>(() => probe.Connect(new UnixDomainSocketEndPoint(folder.SocketPath)));
            Assert.That(refused!.SocketErrorCode, Is.AnyOf(SocketError.ConnectionRefused, SocketError.ProtocolType), "nobody listens on the stale file");
        }

        await using var listener = await UnixSeqpacketPeer.BindAsync(folder.SocketPath);

        var accept = listener.AcceptAsync().AsTask();
        await using var client = await UnixSeqpacketPeer.ConnectAsync(folder.SocketPath).WithTimeout();
        await using var server = (await accept.WithTimeout()).Peer;
        using var body = await Conversation.SendAndReceiveAsync(client, server, MessageKind.Request, Bodies.WithMemfds("over the new socket", "fd"));
        Bodies.AssertMemfds(body, "over the new socket", "fd");
    }

    [Test]
    public async Task ARegularFileAtThePathIsRefusedAndLeftIntact()
    {
        using var folder = TempFolder.Create();
        await File.WriteAllTextAsync(folder.SocketPath, "precious");

        await Waits.ThrowsAsync<IOException>(() => UnixSeqpacketPeer.BindAsync(folder.SocketPath).AsTask());

        Assert.That(await File.ReadAllTextAsync(folder.SocketPath), Is.EqualTo("precious"));
    }

    [Test]
    public async Task ADirectoryAtThePathIsRefusedAndLeftIntact()
    {
        using var folder = TempFolder.Create();
        Directory.CreateDirectory(folder.SocketPath);
        await File.WriteAllTextAsync(Path.Combine(folder.SocketPath, "inside"), "precious");

        await Waits.ThrowsAsync<IOException>(() => UnixSeqpacketPeer.BindAsync(folder.SocketPath).AsTask());

        Assert.That(await File.ReadAllTextAsync(Path.Combine(folder.SocketPath, "inside")), Is.EqualTo("precious"));
    }

    [Test]
    public async Task DisposingTheListenerRemovesItsSocketFileAndKeepsAcceptedConnections()
    {
        using var folder = TempFolder.Create();
        var listener = await UnixSeqpacketPeer.BindAsync(folder.SocketPath);
        PeerHandle<UnixBody> client;
        PeerHandle<UnixBody> server;
        try
        {
            Assert.That(listener.Path, Is.EqualTo(folder.SocketPath));
            Assert.That(File.Exists(folder.SocketPath), Is.True, "the socket file exists while listening");
            var accept = listener.AcceptAsync().AsTask();
            client = await UnixSeqpacketPeer.ConnectAsync(folder.SocketPath).WithTimeout();
            server = (await accept.WithTimeout()).Peer;
        }
        finally
        {
            await listener.DisposeAsync();
        }

        await using (client)
        await using (server)
        {
            Assert.That(File.Exists(folder.SocketPath), Is.False, "disposing the listener removed its socket file");
            using var body = await Conversation.SendAndReceiveAsync(server, client, MessageKind.Stream, Bodies.WithMemfds("still connected", "fd"));
            Bodies.AssertMemfds(body, "still connected", "fd");
            await Waits.ThrowsAsync<SocketException>(() => UnixSeqpacketPeer.ConnectAsync(folder.SocketPath));
        }
    }

    [Test]
    public async Task BothEndsReportThisProcessAsTheRemote()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();

        var client = pair.Client.ConnectionInfo as UnixConnectionInfo;
        var accepted = pair.AcceptedInfo;
        Assert.That(client?.Credentials, Is.Not.Null);
        Assert.That(accepted.Credentials, Is.Not.Null);
        var (uid, gid) = ReadOwnIds();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pair.Server.ConnectionInfo, Is.EqualTo(accepted));
            Assert.That(client!.Path, Is.EqualTo(pair.SocketPath));
            Assert.That(accepted.Path, Is.EqualTo(pair.SocketPath));
            foreach (var credentials in new[] { client.Credentials!.Value, accepted.Credentials!.Value })
            {
                Assert.That(credentials.ProcessId, Is.EqualTo(Environment.ProcessId));
                Assert.That(credentials.UserId, Is.EqualTo(uid));
                Assert.That(credentials.GroupId, Is.EqualTo(gid));
            }
        }
    }

    [Test]
    public async Task TheListenersConfigurationReachesTheAcceptedPeers()
    {
        var roomy = new UnixConfig { MaxBodyLengthWrite = 64 };
        await using var pair = await SeqpacketPair.ConnectAsync(roomy, serverConfig: new UnixConfig { MaxBodyLengthRead = 16, MaxFileDescriptorsRead = 1 });
        using var pipe = Pipe.Create();

        await pair.Client.SendStreamAsync(1, Bodies.Text(new string('a', 17), Descriptors.Duplicate(pipe.WriteEnd))).WithTimeout();
        await pair.Client.SendStreamAsync(2, Bodies.Text("two fds", Descriptors.Duplicate(pipe.WriteEnd), Descriptors.Duplicate(pipe.WriteEnd))).WithTimeout();
        await pair.Client.SendStreamAsync(3, Bodies.WithMemfds(new string('b', 16), "fits")).WithTimeout();
        pipe.WriteEnd.Dispose();

        await RawExchange.ExpectDroppedAsync(pair.Server, ProtocolError.PayloadTooLarge);
        await RawExchange.ExpectDroppedAsync(pair.Server, ProtocolError.TooManyFileDescriptors);
        using var fits = (await pair.Server.ReceiveMessageAsync().WithTimeout()).Message.Body;
        Bodies.AssertMemfds(fits, new string('b', 16), "fits");
        await SeqpacketPair.RoundTripAsync(asker: pair.Server, answerer: pair.Client);
        pipe.AssertAllWriteEndsClosed("the dropped messages' descriptors were closed at both ends");
    }

    [Test]
    public async Task AcceptAllYieldsEveryConnection()
    {
        using var folder = TempFolder.Create();
        await using var listener = await UnixSeqpacketPeer.BindAsync(folder.SocketPath);
        using var stop = new CancellationTokenSource(Waits.Timeout);
        var clients = new List<PeerHandle<UnixBody>>();
        var servers = new List<PeerHandle<UnixBody>>();
        try
        {
            var accepting = Task.Run(async () =>
            {
                await foreach (var (peer, _) in listener.AcceptAllAsync(stop.Token))
                {
                    servers.Add(peer);
                    if (servers.Count == 3)
                        return;
                }
            });
            for (var i = 0; i < 3; i++)
                clients.Add(await UnixSeqpacketPeer.ConnectAsync(folder.SocketPath).WithTimeout());
            await accepting.WithTimeout();

            for (var i = 0; i < 3; i++)
            {
                using var body = await Conversation.SendAndReceiveAsync(clients[i], servers[i], MessageKind.Stream, Bodies.WithMemfds($"client {i}", $"fd {i}"));
                Bodies.AssertMemfds(body, $"client {i}", $"fd {i}");
            }
        }
        finally
        {
            foreach (var peer in clients.Concat(servers))
                await peer.DisposeAsync().AsTask().WaitAsync(Waits.Timeout);
        }
    }

    [Test]
    public async Task ConnectingWhereNobodyListensFails()
    {
        using var folder = TempFolder.Create();

        await Waits.ThrowsAsync<SocketException>(() => UnixSeqpacketPeer.ConnectAsync(folder.SocketPath));
    }

    [TestCase(UnixConfig.SystemMaxFileDescriptors + 1, 0)]
    [TestCase(0, UnixConfig.SystemMaxFileDescriptors + 1)]
    [TestCase(-1, 0)]
    public async Task AnInvalidConfigurationIsRefusedAtBind(int maxRead, int maxWrite)
    {
        using var folder = TempFolder.Create();
        var config = new UnixConfig { MaxFileDescriptorsRead = maxRead, MaxFileDescriptorsWrite = maxWrite };

        await Waits.ThrowsAsync<ArgumentOutOfRangeException>(() => UnixSeqpacketPeer.BindAsync(folder.SocketPath, config).AsTask());

        Assert.That(File.Exists(folder.SocketPath), Is.False, "nothing was bound");
    }

    /// <summary>
    /// A socket file nobody listens on, as a crashed process leaves it. (.NET unlinks the path a socket was bound to
    /// when it is disposed, so the file is moved away from that path first.)
    /// </summary>
    private static void CreateStaleSocketFile(string path, SocketType type)
    {
        var boundPath = path + ".tmp";
        using var socket = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(boundPath));
        socket.Listen(1);
        File.Move(boundPath, path);
    }

    /// <summary>The effective user and group IDs of this process, from /proc/self/status ("Uid: real effective ...").</summary>
    private static (uint Uid, uint Gid) ReadOwnIds()
    {
        var lines = File.ReadAllLines("/proc/self/status");
        static uint Effective(string[] lines, string key) =>
            uint.Parse(lines.Single(line => line.StartsWith(key, StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]);
        return (Effective(lines, "Uid:"), Effective(lines, "Gid:"));
    }
}
