using System.Buffers.Binary;
using System.Diagnostics;
using FizyrRpc.Transports;

namespace FizyrRpc.Samples.SharedMemory;

/// <summary>What the client measured while fetching frames.</summary>
/// <param name="Frames">Frames fetched and verified.</param>
/// <param name="FrameBytes">Bytes per frame.</param>
/// <param name="Total">From the first request to the last frame verified and released.</param>
/// <param name="Waiting">Waiting for the answers: the server making each frame, and the descriptors passing.</param>
/// <param name="Verifying">Mapping each frame and checking every byte of it in place.</param>
/// <param name="SocketBytes">Bytes that went through the socket, headers included, both ways.</param>
public sealed record FrameStatistics(int Frames, long FrameBytes, TimeSpan Total, TimeSpan Waiting, TimeSpan Verifying, long SocketBytes)
{
    /// <summary>Of <see cref="Waiting"/>, what the server spent making the frames (as it measured it).</summary>
    public TimeSpan Making { get; init; }

    /// <summary>Of <see cref="Waiting"/>, what was not making frames: the requests and the descriptors passing.</summary>
    public TimeSpan Passing => Waiting - Making;

    /// <summary>Frame bytes shared per second, end to end.</summary>
    public double BytesPerSecond => Frames * (double)FrameBytes / Total.TotalSeconds;

    /// <summary>Frame bytes checked per second while reading them in place.</summary>
    public double VerifiedBytesPerSecond => Frames * (double)FrameBytes / Verifying.TotalSeconds;
}

/// <summary>The application side: asks for frames, reads each one where the server wrote it, and closes every descriptor.</summary>
public static class FrameClient
{
    // A request is a 12-byte header and a u32; the update and the response a 12-byte header and a frame header each.
    private const int SocketBytesPerFrame = 3 * MessageHeader.Size + sizeof(uint) + 2 * FrameHeader.Size;

    /// <summary>Fetches and verifies frames 0 to <paramref name="frames"/> - 1.</summary>
    /// <exception cref="InvalidDataException">A frame or its announcement was not as promised.</exception>
    /// <exception cref="RemoteErrorException">The server answered with an error.</exception>
    public static async Task<FrameStatistics> FetchAsync(
        PeerHandle<UnixBody> peer, int frames, int frameBytes, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(log);
        var waiting = TimeSpan.Zero;
        var verifying = TimeSpan.Zero;
        var started = Stopwatch.GetTimestamp();
        for (var frame = 0u; frame < frames; frame++)
        {
            var requested = Stopwatch.GetTimestamp();
            var number = new byte[sizeof(uint)];
            BinaryPrimitives.WriteUInt32LittleEndian(number, frame);
            using var request = await peer.SendRequestAsync(FrameServer.CaptureFrameService, number, cancellationToken);

            var update = await request.ReceiveUpdateAsync(cancellationToken)
                ?? throw new InvalidDataException($"Frame {frame}: no \"frame ready\" update before the response.");
            using (update.Body)
            {
                // A duplicate of the frame's descriptor: a second, independent handle on the same pages.
                var announced = CheckAnnouncement(update, FrameServer.FrameReadyService, frame, frameBytes);
                SharedFrame.CheckSealed(update.Body.FileDescriptors[0], announced);
            }

            var response = await request.ReceiveResponseAsync(cancellationToken);
            using var body = response.Body; // the descriptor is ours now, whatever happens next
            response.ThrowIfError();
            var header = CheckAnnouncement(response, FrameServer.CaptureFrameService, frame, frameBytes);
            var answered = Stopwatch.GetTimestamp();
            waiting += Stopwatch.GetElapsedTime(requested, answered);

            SharedFrame.Verify(body.FileDescriptors[0], header);
            var verified = Stopwatch.GetElapsedTime(answered);
            verifying += verified;
            log.WriteLine(
                $"client: frame {frame}: {header.Width}×{header.Height} points, {Format.Bytes(header.ByteLength)} in memfd " +
                $"descriptor {body.FileDescriptors[0].DangerousGetHandle()}, sealed, every byte as expected " +
                $"({Stopwatch.GetElapsedTime(requested, answered).TotalMilliseconds:F1} ms to get it, {verified.TotalMilliseconds:F1} ms to map and check it)");
        }

        return new FrameStatistics(frames, frameBytes, Stopwatch.GetElapsedTime(started), waiting, verifying, (long)frames * SocketBytesPerFrame);
    }

    /// <summary>Checks that an update or response announces <paramref name="frame"/> with one descriptor.</summary>
    private static FrameHeader CheckAnnouncement(Message<UnixBody> message, int serviceId, uint frame, int frameBytes)
    {
        var kind = message.Header.MessageType == MessageType.Response ? "response" : "update";
        if (message.ServiceId != serviceId)
            throw new InvalidDataException($"Frame {frame}: the {kind} is for service {message.ServiceId}, not {serviceId}.");
        var header = FrameHeader.Decode(message.Body.Span);
        if (header.Frame != frame || header.ByteLength != (ulong)frameBytes)
            throw new InvalidDataException($"Frame {frame}: the {kind} announces frame {header.Frame} of {header.ByteLength} bytes.");
        if (message.Body.FileDescriptors.Count != 1)
            throw new InvalidDataException($"Frame {frame}: the {kind} carries {message.Body.FileDescriptors.Count} descriptors instead of 1.");
        return header;
    }
}
