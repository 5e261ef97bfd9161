using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// The floor: the same echo (length-prefixed frames, same body size, same requests in flight on one connection) written
/// directly on Socket with no library code. Our engine is judged as a ratio to it, measured in the same run.
/// </summary>
internal static class RawFloor
{
    private const int FrameHeader = 16; // length prefix + 12-byte header, as the protocol frames it

    public static async Task<(double RequestsPerSecond, long[] Latencies)> RunAsync(bool unix, string path, int inFlight, int requests, int bodySize)
    {
        using var listener = unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(unix ? new UnixDomainSocketEndPoint(path) : new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await accept;
        if (!unix)
            server.NoDelay = true;

        var frameSize = FrameHeader + bodySize;
        var echo = EchoAsync(server, frameSize);

        // The client keeps `inFlight` frames outstanding: it sends one more for each one that comes back.
        var latencies = new long[requests];
        var sentAt = new long[requests];
        var frame = new byte[frameSize];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)(frameSize - 4));
        var elapsed = Stopwatch.StartNew();
        var sent = 0;
        var initial = Math.Min(inFlight, requests);
        var batch = new byte[initial * frameSize];
        for (var i = 0; i < initial; i++)
        {
            frame.CopyTo(batch, i * frameSize);
            sentAt[sent++] = Stopwatch.GetTimestamp();
        }

        await SendAllAsync(client, batch);
        var buffer = new byte[64 * 1024 + frameSize];
        var buffered = 0;
        var received = 0;
        while (received < requests)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(buffered), SocketFlags.None);
            if (n == 0)
                throw new EndOfStreamException("The floor's echo server closed early.");
            buffered += n;
            var whole = buffered / frameSize;
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < whole; i++)
                latencies[received + i] = now - sentAt[received + i];
            received += whole;
            Buffer.BlockCopy(buffer, whole * frameSize, buffer, 0, buffered - (whole * frameSize));
            buffered -= whole * frameSize;

            var more = Math.Min(whole, requests - sent);
            if (more > 0)
            {
                var next = new byte[more * frameSize];
                for (var i = 0; i < more; i++)
                {
                    frame.CopyTo(next, i * frameSize);
                    sentAt[sent++] = now;
                }

                await SendAllAsync(client, next);
            }
        }

        elapsed.Stop();
        client.Shutdown(SocketShutdown.Send);
        await echo;
        return (requests / elapsed.Elapsed.TotalSeconds, latencies);
    }

    private static async Task EchoAsync(Socket socket, int frameSize)
    {
        var buffer = new byte[64 * 1024 + frameSize];
        var buffered = 0;
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(buffered), SocketFlags.None);
            if (n == 0)
                return;
            buffered += n;
            var whole = buffered / frameSize * frameSize;
            if (whole > 0)
            {
                await SendAllAsync(socket, buffer.AsMemory(0, whole));
                Buffer.BlockCopy(buffer, whole, buffer, 0, buffered - whole);
                buffered -= whole;
            }
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
            data = data[await socket.SendAsync(data, SocketFlags.None)..];
    }
}
