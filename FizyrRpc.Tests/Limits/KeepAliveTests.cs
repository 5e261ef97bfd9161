using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Limits;

/// <summary>TCP keep-alive, as <see cref="StreamConfig"/> says, on the sockets of connections made and accepted, read back from the kernel.</summary>
public class KeepAliveTests
{
    [Test]
    public async Task TheDefaultsAreOnForConnectionsMadeAndAccepted()
    {
        await using var pair = await Loopback.TcpPairAsync();
        foreach (var socket in new[] { SocketOf(pair.Client), SocketOf(pair.Server) })
        {
            Assert.That((int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!, Is.Not.Zero);
            Assert.That(socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime), Is.EqualTo(60));
            Assert.That(socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval), Is.EqualTo(10));
            Assert.That(socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount), Is.EqualTo(6));
        }
    }

    [Test]
    public async Task ConfiguredValuesReachTheSocket()
    {
        var config = new StreamConfig { KeepAliveIdle = TimeSpan.FromSeconds(7), KeepAliveInterval = TimeSpan.FromSeconds(3), KeepAliveCount = 2 };
        await using var pair = await Loopback.TcpPairAsync(config);
        foreach (var socket in new[] { SocketOf(pair.Client), SocketOf(pair.Server) })
        {
            Assert.That(socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime), Is.EqualTo(7));
            Assert.That(socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval), Is.EqualTo(3));
            Assert.That(socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount), Is.EqualTo(2));
        }
    }

    [Test]
    public async Task OffLeavesTheSocketWithoutKeepAlive()
    {
        await using var pair = await Loopback.TcpPairAsync(new StreamConfig { KeepAlive = false });
        foreach (var socket in new[] { SocketOf(pair.Client), SocketOf(pair.Server) })
            Assert.That((int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!, Is.Zero);
    }

    [Test]
    public void SettingsBelowOneSecondAreRefusedBeforeAnySocketExists() =>
        Assert.That(
            async () => await TcpPeer.BindAsync("127.0.0.1:0", new StreamConfig { KeepAliveIdle = TimeSpan.FromMilliseconds(500) }),
            Throws.InstanceOf<ArgumentOutOfRangeException>());

    private static Socket SocketOf(PeerHandle<StreamBody> peer) => ((StreamTransport)peer.Connection.Transport).Socket;
}
