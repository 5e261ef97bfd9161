using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Transports;

/// <summary>What a raw socket sees of the peer at the other end.</summary>
internal static class RawSocketAssert
{
    /// <summary>The peer closed the connection without writing anything: a read returns 0 bytes, or the connection is reset.</summary>
    public static async Task SeesCloseAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        int received;
        try
        {
            received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionReset)
        {
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new AssertionException($"The peer did not close the connection within {Loopback.Timeout}.");
        }

        Assert.That(received, Is.Zero, "the peer wrote to a connection it rejected");
    }
}
