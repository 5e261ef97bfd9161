using System.Net;
using System.Net.Sockets;

namespace FizyrRpc.Benchmarks.Reliability;

/// <summary>Raw-socket building blocks of the attacks: frames as bytes, connections opened in bulk, sends that may stall.</summary>
internal static class Hostile
{
    /// <summary>A whole frame (little endian, as the sample's byte streams use).</summary>
    public static byte[] Frame(MessageHeader header, ReadOnlySpan<byte> body)
    {
        var frame = new byte[StreamFraming.PrefixAndHeaderSize + body.Length];
        StreamFraming.WritePrefixAndHeader(frame, header, body.Length, Endian.Little);
        body.CopyTo(frame.AsSpan(StreamFraming.PrefixAndHeaderSize));
        return frame;
    }

    /// <summary>The length prefix and header of a frame announcing <paramref name="bodyLength"/> bytes of body, without the body.</summary>
    public static byte[] Announce(MessageHeader header, int bodyLength)
    {
        var prefix = new byte[StreamFraming.PrefixAndHeaderSize];
        StreamFraming.WritePrefixAndHeader(prefix, header, bodyLength, Endian.Little);
        return prefix;
    }

    /// <summary>Opens <paramref name="count"/> connections, 50 at a time.</summary>
    public static async Task<List<Socket>> ConnectAsync(IPEndPoint server, int count)
    {
        var sockets = new List<Socket>(count);
        try
        {
            while (sockets.Count < count)
            {
                var batch = Enumerable.Range(0, Math.Min(50, count - sockets.Count)).Select(async _ =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(server);
                    return socket;
                });
                sockets.AddRange(await Task.WhenAll(batch));
            }
        }
        catch
        {
            Close(sockets);
            throw;
        }

        return sockets;
    }

    /// <summary>
    /// Sends all of <paramref name="bytes"/> and reads nothing. Gives up when a send has made no progress for
    /// <paramref name="stall"/>: the server stopped reading (backpressure). Returns whether everything went out.
    /// </summary>
    public static async Task<bool> SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, TimeSpan stall)
    {
        using var timeout = new CancellationTokenSource(stall);
        try
        {
            while (!bytes.IsEmpty)
            {
                bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None, timeout.Token)..];
                timeout.CancelAfter(stall);
            }

            return true;
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException)
        {
            return false;
        }
    }

    /// <summary>Closes every socket gracefully.</summary>
    public static void Close(IEnumerable<Socket> sockets)
    {
        foreach (var socket in sockets)
            socket.Dispose();
    }

    /// <summary>Closes a socket with a reset (RST) instead of a FIN: linger on, zero seconds.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Dispose();
    }

    /// <summary>Sends a few bytes (they fit the socket buffer: never blocks in practice); false when the connection is gone (closed or reset by the server).</summary>
    public static bool TrySendNow(Socket socket, ReadOnlySpan<byte> bytes)
    {
        try
        {
            socket.Send(bytes, SocketFlags.None, out var error);
            return error is SocketError.Success or SocketError.WouldBlock;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Completes when the server closes or resets the connection (a receive returns 0 or fails); reads and drops whatever comes first.</summary>
    public static async Task WaitClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
    }
}
