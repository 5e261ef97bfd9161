using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Teardown;

/// <summary>
/// A failed native socket call reports a <see cref="SocketError"/> that means what happened: the seqpacket transport
/// used to pass the Linux errno to <c>new SocketException(int)</c>, which reads it as a Windows socket error number.
/// </summary>
public class NativeErrorTests
{
    [Test]
    public async Task ASendToAClosedSeqpacketRemoteFailsWithAMeaningfulSocketError()
    {
        if (!UnixSeqpacketPeer.IsSupported)
            Assert.Ignore("Unix seqpacket sockets are not supported here.");
        using var folder = TempFolder.Create();
        using var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(folder.SocketPath));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(folder.SocketPath)).WaitAsync(Loopback.Timeout);
        var server = await listener.AcceptAsync().WaitAsync(Loopback.Timeout);
        await using var transport = new UnixSeqpacketTransport(server);
        client.Dispose();

        var error = await TestWaits.ThrowsAsync<SocketException>(
            () => transport.WriteAsync([new Message<UnixBody>(MessageHeader.Stream(1), UnixBody.FromBytes(new byte[] { 1 }))], default).AsTask());

        Assert.That(Enum.IsDefined(error.SocketErrorCode), Is.True, $"{(int)error.SocketErrorCode} is no SocketError");
        Assert.That(error.SocketErrorCode, Is.AnyOf(SocketError.Shutdown, SocketError.ConnectionReset));
        Assert.That(error.Message, Does.Contain("errno"));
    }

    [TestCase(32, SocketError.Shutdown)]
    [TestCase(104, SocketError.ConnectionReset)]
    [TestCase(105, SocketError.NoBufferSpaceAvailable)]
    [TestCase(9, SocketError.OperationAborted)]
    [TestCase(90, SocketError.MessageSize)]
    [TestCase(12345, SocketError.SocketError)]
    public void AnErrnoIsTranslated(int errno, SocketError expected)
    {
        var error = SocketErrors.FromErrno(errno);
        Assert.That(error.SocketErrorCode, Is.EqualTo(expected));
        Assert.That(error.Message, Does.Contain($"errno {errno}"));
    }
}
