using System.Diagnostics;
using System.Net.Sockets;

namespace FizyrRpc.Cli.Tap;

/// <summary>
/// Relays one byte-stream connection (TCP or Unix stream) both ways, byte for byte: what comes is recorded (pcap),
/// decoded and printed, then forwarded, so the log and the capture are in causal order and the relay never changes a
/// byte, even after a framing error. End of stream one way is passed on as a shutdown of that way; an error on either
/// socket ends both.
/// </summary>
internal static class StreamRelay
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Relays until both directions have ended; returns why the connection ended.</summary>
    public static async Task<string> RunAsync(
        Socket client, Socket server, int connection, TapContext context, PcapConversation? pcap, CancellationToken cancellationToken)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = PumpAsync(client, server, fromClient: true, connection, context, pcap, abort);
        var down = PumpAsync(server, client, fromClient: false, connection, context, pcap, abort);
        var reasons = await Task.WhenAll(up, down);
        return string.Join("; ", reasons.Where(reason => reason.Length > 0).DefaultIfEmpty("both sides closed"));
    }

    private static async Task<string> PumpAsync(
        Socket from, Socket to, bool fromClient, int connection, TapContext context, PcapConversation? pcap, CancellationTokenSource abort)
    {
        var side = fromClient ? "client" : "server";
        var decoder = new FrameDecoder(context.Endian, context.MaxBodyLength);
        var buffer = new byte[ChunkSize];
        try
        {
            while (true)
            {
                var received = await from.ReceiveAsync(buffer, SocketFlags.None, abort.Token);
                var time = DateTimeOffset.UtcNow;
                var timestamp = Stopwatch.GetTimestamp();
                if (received == 0)
                {
                    pcap?.Finish(fromClient, time);
                    to.Shutdown(SocketShutdown.Send);
                    return "";
                }

                var chunk = buffer.AsMemory(0, received);
                pcap?.Data(fromClient, chunk.Span, time);
                if (!decoder.Feed(chunk.Span, (header, body) => context.Log.Message(connection, fromClient, header, body, time, timestamp)))
                    context.Log.Note(connection, $"{side} bytes are not Fizyr RPC frames ({decoder.Error!.Message}); relaying them undecoded");
                for (var sent = 0; sent < received;)
                    sent += await to.SendAsync(chunk[sent..], SocketFlags.None, abort.Token);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return "";
        }
        catch (SocketException e)
        {
            // One side failed: the other direction cannot go on either.
            await abort.CancelAsync();
            return $"{side}: {e.Message}";
        }
    }
}
