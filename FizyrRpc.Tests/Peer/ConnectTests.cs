using System.Net;
using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Peer;

/// <summary>TcpPeer's address forms and connection information, and the Unix stream peer credentials.</summary>
public class ConnectTests
{
    [Test]
    public async Task ConnectsToAnIpv4Address()
    {
        await using var listener = await TcpPeer.BindAsync("127.0.0.1:0");
        await AssertConnectsAsync(listener, $"127.0.0.1:{listener.LocalEndPoint.Port}");
    }

    [Test]
    public async Task ConnectsToAHostName()
    {
        // "localhost" may resolve to ::1 first; with the listener on 127.0.0.1 only, the next address must be tried.
        await using var listener = await TcpPeer.BindAsync("127.0.0.1:0");
        await AssertConnectsAsync(listener, $"localhost:{listener.LocalEndPoint.Port}");
    }

    [Test]
    public async Task ConnectsToAnIpv6Address()
    {
        TcpPeerListener listener;
        try
        {
            listener = await TcpPeer.BindAsync("[::1]:0");
        }
        catch (SocketException error)
        {
            Assert.Ignore($"IPv6 loopback is unavailable here: binding [::1] failed with {error.SocketErrorCode}.");
            return;
        }

        await using (listener)
            await AssertConnectsAsync(listener, $"[::1]:{listener.LocalEndPoint.Port}");
    }

    [TestCase("nope")]
    [TestCase("1.2.3.4")]
    [TestCase("::1:80")]
    [TestCase("host:")]
    [TestCase(":80")]
    [TestCase("host:65536")]
    [TestCase("host:-1")]
    public void ParseEndPointRejectsMalformedAddresses(string address) =>
        Assert.That(() => TcpPeer.ParseEndPoint(address), Throws.InstanceOf<FormatException>());

    [Test]
    public void ParseEndPointReadsEachForm()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TcpPeer.ParseEndPoint("127.0.0.1:80"), Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 80)));
            Assert.That(TcpPeer.ParseEndPoint("[::1]:443"), Is.EqualTo(new IPEndPoint(IPAddress.IPv6Loopback, 443)));
            Assert.That(TcpPeer.ParseEndPoint("localhost:8080"), Is.EqualTo(new DnsEndPoint("localhost", 8080)));
        }
    }

    [Test]
    public async Task TcpConnectionInfoMatchesOnBothSides()
    {
        await using var pair = await Loopback.TcpPairAsync();
        var client = pair.Client.ConnectionInfo as TcpConnectionInfo;
        var accepted = pair.AcceptedInfo as TcpConnectionInfo;
        Assert.That(client, Is.Not.Null);
        Assert.That(accepted, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pair.Server.ConnectionInfo, Is.EqualTo(accepted), "the server handle reports what accept returned");
            Assert.That(client!.LocalEndPoint, Is.EqualTo(accepted!.RemoteEndPoint));
            Assert.That(client.RemoteEndPoint, Is.EqualTo(accepted.LocalEndPoint));
            Assert.That(client.RemoteEndPoint.Address, Is.EqualTo(IPAddress.Loopback));
            Assert.That(client.LocalEndPoint.Port, Is.Not.EqualTo(client.RemoteEndPoint.Port));
        }
    }

    [Test]
    public async Task UnixCredentialsOnBothSidesAreThisProcess()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("SO_PEERCRED credentials are reported on Linux only.");
        var (uid, gid) = ReadOwnIds();
        await using var pair = await Loopback.UnixPairAsync();
        var client = pair.Client.ConnectionInfo as UnixConnectionInfo;
        var accepted = pair.AcceptedInfo as UnixConnectionInfo;
        Assert.That(client?.Credentials, Is.Not.Null);
        Assert.That(accepted?.Credentials, Is.Not.Null);
        var (clientSees, serverSees) = (client!.Credentials!.Value, accepted!.Credentials!.Value);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pair.Server.ConnectionInfo, Is.EqualTo(accepted));
            Assert.That(client.Path, Is.EqualTo(accepted.Path));
            Assert.That(clientSees, Is.EqualTo(serverSees), "both ends are this process");
            Assert.That(clientSees.ProcessId, Is.EqualTo(Environment.ProcessId));
            Assert.That(clientSees.UserId, Is.EqualTo(uid));
            Assert.That(clientSees.GroupId, Is.EqualTo(gid));
        }
    }

    /// <summary>The effective user and group IDs of this process, from /proc/self/status ("Uid: real effective ...").</summary>
    private static (uint Uid, uint Gid) ReadOwnIds()
    {
        var lines = File.ReadAllLines("/proc/self/status");
        static uint Effective(string[] lines, string key) =>
            uint.Parse(lines.Single(l => l.StartsWith(key, StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]);
        return (Effective(lines, "Uid:"), Effective(lines, "Gid:"));
    }

    private static async Task AssertConnectsAsync(TcpPeerListener listener, string address)
    {
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        var accept = listener.AcceptAsync(timeout.Token).AsTask();
        await using var client = await TcpPeer.ConnectAsync(address, cancellationToken: timeout.Token);
        var (server, info) = await accept.Within();
        try
        {
            Assert.That(((TcpConnectionInfo)client.ConnectionInfo!).RemoteEndPoint, Is.EqualTo(listener.LocalEndPoint));
            Assert.That(info.LocalEndPoint, Is.EqualTo(listener.LocalEndPoint));
            var request = await client.SendRequestAsync(1, StreamBody.FromString(address)).Within();
            var received = await server.ReceiveRequestAsync();
            await received.SendResponseAsync(1, received.Body).Within();
            Assert.That((await request.ReceiveResponseAsync().Within()).Body.ToUtf8String(), Is.EqualTo(address));
        }
        finally
        {
            await client.DisposeAsync();
            await server.Completion.Within(); // it sees the end of stream and closes by itself
            await server.DisposeAsync();
        }
    }
}
