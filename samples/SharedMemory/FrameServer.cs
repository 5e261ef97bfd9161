using System.Buffers.Binary;
using System.Diagnostics;
using FizyrRpc.Transports;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Samples.SharedMemory;

/// <summary>
/// The camera side: answers "capture frame" requests with the frame in a sealed memfd. Only a 20-byte header goes
/// through the socket; the frame travels as a descriptor and the client maps the very pages the server wrote.
/// </summary>
public static class FrameServer
{
    /// <summary>Request: capture frame; body = the frame number as a little-endian u32. Response: <see cref="FrameHeader"/> + 1 descriptor.</summary>
    public const int CaptureFrameService = 1;

    /// <summary>Responder update sent before the response: <see cref="FrameHeader"/> + a duplicate of the frame's descriptor.</summary>
    public const int FrameReadyService = 2;

    /// <summary>
    /// Serves the requests of <paramref name="peer"/> one after the other until the connection ends. Returns the time
    /// spent making frames (creating, filling and sealing the memfds), to tell it apart from the time spent passing them.
    /// </summary>
    public static async Task<TimeSpan> ServeAsync(PeerHandle<UnixBody> peer, int frameBytes, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(log);
        var making = TimeSpan.Zero;
        await foreach (var received in peer.ReadMessagesAsync(cancellationToken))
        {
            // Whatever arrives is ours, descriptors included: dispose every body.
            using var body = received.Message.Body;
            if (!received.TryGetRequest(out var request))
                continue;
            using (request)
                making += await AnswerAsync(request, frameBytes, log, cancellationToken);
        }

        return making;
    }

    private static async Task<TimeSpan> AnswerAsync(ReceivedRequest<UnixBody> request, int frameBytes, TextWriter log, CancellationToken cancellationToken)
    {
        if (request.ServiceId != CaptureFrameService)
        {
            await request.SendErrorResponseAsync($"unknown service {request.ServiceId}", cancellationToken);
            return TimeSpan.Zero;
        }

        if (request.Body.Length != sizeof(uint) || request.Body.FileDescriptors.Count != 0)
        {
            await request.SendErrorResponseAsync("capture frame takes a little-endian u32 frame number and no descriptors", cancellationToken);
            return TimeSpan.Zero;
        }

        var header = FrameHeader.For(BinaryPrimitives.ReadUInt32LittleEndian(request.Body.Span), frameBytes);
        var started = Stopwatch.GetTimestamp();
        SafeFileHandle frame;
        try
        {
            frame = SharedFrame.Create(header);
        }
        catch (IOException error)
        {
            await request.SendErrorResponseAsync($"frame {header.Frame}: {error.Message}", cancellationToken);
            return Stopwatch.GetElapsedTime(started);
        }

        var making = Stopwatch.GetElapsedTime(started);
        var encoded = header.Encode();
        try
        {
            log.WriteLine($"server: frame {header.Frame} written to a sealed memfd in {making.TotalMilliseconds:F1} ms");
            // The update carries a duplicate: the frame descriptor stays ours, to hand over with the response.
            await request.SendUpdateAsync(FrameReadyService, UnixBody.WithCopies(encoded, frame), cancellationToken);
        }
        catch
        {
            frame.Dispose();
            throw;
        }

        // From here the peer owns the descriptor and closes it once the response is written (or refused).
        await request.SendResponseAsync(CaptureFrameService, new UnixBody(encoded, frame), cancellationToken);
        return making;
    }
}
