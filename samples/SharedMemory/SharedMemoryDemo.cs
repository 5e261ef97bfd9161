using System.Globalization;
using FizyrRpc.Transports;

namespace FizyrRpc.Samples.SharedMemory;

/// <summary>
/// The whole demonstration in one process: a frame server and a client on a Unix seqpacket socket, frames passed as
/// sealed memfds, throughput measured, and every descriptor accounted for at the end.
/// </summary>
public static class SharedMemoryDemo
{
    /// <summary>Frames fetched by default.</summary>
    public const int DefaultFrames = 8;

    /// <summary>The default frame: 64 MiB, a 2048 × 2048 point cloud of 16-byte points.</summary>
    public const int DefaultFrameBytes = 64 * 1024 * 1024;

    // Small enough to cost nothing, big enough to take the same path as a real frame.
    private const int WarmUpFrameBytes = 64 * 1024;

    /// <summary>
    /// Serves and fetches <paramref name="frames"/> frames of <paramref name="frameBytes"/> bytes over a seqpacket
    /// socket bound at <paramref name="socketPath"/> (which must not be in use), printing what happens. Returns
    /// whether every frame arrived intact and the process holds no descriptor it did not hold before; on failure the
    /// last line of <paramref name="output"/> says why.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Seqpacket sockets are not supported here (<see cref="UnixSeqpacketPeer.IsSupported"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<bool> RunAsync(string socketPath, int frames, int frameBytes, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameBytes);
        ArgumentNullException.ThrowIfNull(output);
        if (frameBytes % FrameHeader.BytesPerPoint != 0)
            throw new ArgumentOutOfRangeException(nameof(frameBytes), frameBytes, $"A frame is a whole number of {FrameHeader.BytesPerPoint}-byte points.");
        if (!UnixSeqpacketPeer.IsSupported)
            throw new PlatformNotSupportedException("Passing descriptors over Unix seqpacket sockets needs 64-bit Linux.");

        output = TextWriter.Synchronized(output); // the server and the client both write
        output.WriteLine($"{frames} frames of {Format.Bytes(frameBytes)} over the Unix seqpacket socket {socketPath}");

        FrameStatistics statistics;
        OpenDescriptors before;
        try
        {
            // The runtime opens a few descriptors on first use and keeps them (the socket event loop): let it do so
            // before counting, with one small frame through the same path.
            await ExchangeAsync(socketPath, 1, WarmUpFrameBytes, TextWriter.Null, cancellationToken);
            before = OpenDescriptors.Take();
            statistics = await ExchangeAsync(socketPath, frames, frameBytes, output, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            output.WriteLine($"FAILED: {error.GetType().Name}: {error.Message}");
            return false;
        }

        var after = OpenDescriptors.Take();
        Report(statistics, output);
        output.WriteLine($"descriptors open: {before.Count} before, {after.Count} after");
        var leaked = after.NewSince(before);
        if (leaked.Count > 0)
        {
            output.WriteLine($"FAILED: {leaked.Count} descriptors were left open: {string.Join("; ", leaked)}");
            return false;
        }

        output.WriteLine("OK: every frame arrived intact and every descriptor was closed");
        return true;
    }

    /// <summary>Runs a server and a client until the client has its frames; both are closed when this returns.</summary>
    private static async Task<FrameStatistics> ExchangeAsync(string socketPath, int frames, int frameBytes, TextWriter log, CancellationToken cancellationToken)
    {
        await using var listener = await UnixSeqpacketPeer.BindAsync(socketPath);
        // A failing server stops the client, which would otherwise wait for answers forever.
        using var serverFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var serving = ServeOneAsync(listener, frameBytes, log, serverFailed, cancellationToken);
        FrameStatistics statistics;
        try
        {
            await using var client = await UnixSeqpacketPeer.ConnectAsync(socketPath, cancellationToken: serverFailed.Token);
            statistics = await FrameClient.FetchAsync(client, frames, frameBytes, log, serverFailed.Token);
        }
        finally
        {
            // The client has closed its connection: the server sees the end and returns. Its error, if any, is the
            // cause of the client's and replaces it.
            await serving;
        }

        return statistics with { Making = await serving };
    }

    private static async Task<TimeSpan> ServeOneAsync(
        UnixSeqpacketPeerListener listener, int frameBytes, TextWriter log, CancellationTokenSource failed, CancellationToken cancellationToken)
    {
        try
        {
            var (peer, info) = await listener.AcceptAsync(cancellationToken);
            TimeSpan making;
            await using (peer)
            {
                log.WriteLine($"server: client connected (process {info.Credentials?.ProcessId.ToString(CultureInfo.InvariantCulture) ?? "unknown"})");
                making = await FrameServer.ServeAsync(peer, frameBytes, log, cancellationToken);
            }

            log.WriteLine("server: client gone, connection closed");
            return making;
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }

    private static void Report(FrameStatistics statistics, TextWriter output)
    {
        var shared = (double)statistics.Frames * statistics.FrameBytes;
        output.WriteLine(
            $"{statistics.Frames} frames, {Format.Bytes(shared)} shared in {statistics.Total.TotalSeconds:F3} s: " +
            $"{Format.GigabytesPerSecond(statistics.BytesPerSecond)} end to end (server writes each frame, passes its descriptor, client maps and checks it)");
        output.WriteLine(
            $"  server making the frames (memfd_create, fill, seal): {statistics.Making.TotalSeconds:F3} s; " +
            $"client reading them in place: {statistics.Verifying.TotalSeconds:F3} s ({Format.GigabytesPerSecond(statistics.VerifiedBytesPerSecond)})");
        output.WriteLine(
            $"  passing them (request out; update and response back, a descriptor each): {statistics.Passing.TotalSeconds:F4} s, " +
            $"{statistics.Passing.TotalMilliseconds / statistics.Frames:F2} ms per frame, " +
            $"{Format.GigabytesPerSecond(shared / statistics.Passing.TotalSeconds)} of frame handed over");
        output.WriteLine(
            $"  through the socket: {statistics.SocketBytes} bytes and {2 * statistics.Frames} descriptors in all; " +
            $"copying the frames through it would have meant {Format.Bytes(shared)} written into and read out of the kernel");
    }
}
