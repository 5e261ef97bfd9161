using System.Diagnostics;
using System.Net.Sockets;
using FizyrRpc.Transports;

namespace FizyrRpc.Cli.Tap;

/// <summary>
/// Relays one Unix seqpacket connection both ways, message by message, with the engine's
/// <see cref="UnixSeqpacketTransport"/> on each socket: datagrams and their file descriptors go through unchanged. In
/// the capture each message is written as the byte-stream frame it would be (length prefix, header, body); the
/// descriptors cannot be shown there. A datagram the transport rejects (too short, over the limit) is reported and not
/// relayed.
/// </summary>
internal static class SeqpacketRelay
{
    /// <summary>Relays until both directions have ended; returns why the connection ended.</summary>
    public static async Task<string> RunAsync(
        Socket client, Socket server, UnixConfig config, int connection, TapContext context, PcapConversation? pcap, CancellationToken cancellationToken)
    {
        await using var clientTransport = new UnixSeqpacketTransport(client, config);
        await using var serverTransport = new UnixSeqpacketTransport(server, config);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = PumpAsync(clientTransport, serverTransport, server, fromClient: true, connection, context, pcap, abort);
        var down = PumpAsync(serverTransport, clientTransport, client, fromClient: false, connection, context, pcap, abort);
        var reasons = await Task.WhenAll(up, down);
        return string.Join("; ", reasons.Where(reason => reason.Length > 0).DefaultIfEmpty("both sides closed"));
    }

    private static async Task<string> PumpAsync(
        UnixSeqpacketTransport from,
        UnixSeqpacketTransport to,
        Socket toSocket,
        bool fromClient,
        int connection,
        TapContext context,
        PcapConversation? pcap,
        CancellationTokenSource abort)
    {
        var side = fromClient ? "client" : "server";
        var frameHeader = new byte[StreamFraming.PrefixAndHeaderSize];
        try
        {
            while (true)
            {
                Message<UnixBody>? next;
                try
                {
                    next = await from.ReadMessageAsync(abort.Token);
                }
                catch (RpcProtocolException e) when (!e.IsFatal)
                {
                    context.Log.Note(connection, $"{side} sent a message that is not relayed: {e.Message}");
                    continue;
                }

                var time = DateTimeOffset.UtcNow;
                var timestamp = Stopwatch.GetTimestamp();
                if (next is not { } message)
                {
                    pcap?.Finish(fromClient, time);
                    toSocket.Shutdown(SocketShutdown.Send);
                    return "";
                }

                using (message.Body)
                {
                    if (pcap is not null)
                    {
                        StreamFraming.WritePrefixAndHeader(frameHeader, message.Header, message.Body.Length, context.Endian);
                        pcap.Data(fromClient, frameHeader, time);
                        pcap.Data(fromClient, message.Body.Span, time);
                    }

                    context.Log.Message(connection, fromClient, message.Header, message.Body.Data, time, timestamp);
                    if (message.Body.FileDescriptors.Count > 0)
                        context.Log.Note(connection, $"{side} attached {message.Body.FileDescriptors.Count} file descriptor(s) to request {message.Header.RequestId}");
                    to.ValidateOutgoing(message);
                    await to.WriteAsync([message], abort.Token);
                }
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return "";
        }
        catch (Exception e) when (e is SocketException or RpcException or IOException)
        {
            await abort.CancelAsync();
            return $"{side}: {e.Message}";
        }
    }
}
