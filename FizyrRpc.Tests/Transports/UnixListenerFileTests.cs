using System.Net.Sockets;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Transports;

/// <summary>
/// The socket file of a Unix listener: a stale socket file left by an earlier process is replaced, any other file at
/// the path is refused and left intact, and disposing the listener removes its socket file.
/// </summary>
public class UnixListenerFileTests
{
    [Test]
    public async Task StaleSocketFileIsReplaced()
    {
        using var folder = TempFolder.Create();
        CreateStaleSocketFile(folder.SocketPath);
        var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using (stale)
        {
            var refused = Assert.Throws<SocketException>(() => stale.Connect(new UnixDomainSocketEndPoint(folder.SocketPath)));
            Assert.That(refused!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused), "nobody listens on the stale file");
        }

        await using var listener = await UnixStreamPeer.BindAsync(folder.SocketPath);

        var accept = listener.AcceptAsync().AsTask();
        await using var client = await UnixStreamPeer.ConnectAsync(folder.SocketPath).WithTimeout();
        await using var server = (await accept.WithTimeout()).Peer;
        await TestListener.AssertEchoAsync(client, server);
    }

    [Test]
    public async Task RegularFileAtThePathIsRefusedAndLeftIntact()
    {
        using var folder = TempFolder.Create();
        await File.WriteAllTextAsync(folder.SocketPath, "precious");

        await Await.ThrowsAsync<IOException>(() => UnixStreamPeer.BindAsync(folder.SocketPath).AsTask());

        Assert.That(await File.ReadAllTextAsync(folder.SocketPath), Is.EqualTo("precious"));
    }

    [Test]
    public async Task DirectoryAtThePathIsRefusedAndLeftIntact()
    {
        using var folder = TempFolder.Create();
        Directory.CreateDirectory(folder.SocketPath);
        await File.WriteAllTextAsync(Path.Combine(folder.SocketPath, "inside"), "precious");

        await Await.ThrowsAsync<IOException>(() => UnixStreamPeer.BindAsync(folder.SocketPath).AsTask());

        Assert.That(await File.ReadAllTextAsync(Path.Combine(folder.SocketPath, "inside")), Is.EqualTo("precious"));
    }

    [Test]
    public async Task DisposingTheListenerRemovesItsSocketFileAndKeepsAcceptedConnections()
    {
        using var folder = TempFolder.Create();
        var listener = await UnixStreamPeer.BindAsync(folder.SocketPath);
        PeerHandle<StreamBody> client;
        PeerHandle<StreamBody> server;
        try
        {
            Assert.That(File.Exists(folder.SocketPath), Is.True);
            var accept = listener.AcceptAsync().AsTask();
            client = await UnixStreamPeer.ConnectAsync(folder.SocketPath).WithTimeout();
            server = (await accept.WithTimeout()).Peer;
        }
        finally
        {
            await listener.DisposeAsync();
        }

        await using (client)
        await using (server)
        {
            Assert.That(File.Exists(folder.SocketPath), Is.False);
            await TestListener.AssertEchoAsync(client, server);
        }
    }

    /// <summary>
    /// A socket file nobody listens on, as a crashed process leaves it. (.NET unlinks the path a socket was bound to
    /// when it is disposed, so the file is moved away from that path first.)
    /// </summary>
    private static void CreateStaleSocketFile(string path)
    {
        var boundPath = path + ".tmp";
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(boundPath));
        socket.Listen(1);
        File.Move(boundPath, path);
    }
}
