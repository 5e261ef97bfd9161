using FizyrRpc;

namespace FizyrRpc.Samples.Camera;

/// <summary>A pretend camera: every frame is exposed, announced, and sent as an image.</summary>
public sealed class CameraServer : ICamera.ServerBase
{
    /// <inheritdoc/>
    protected override Task PingAsync(PingContext context) => Task.CompletedTask;

    /// <inheritdoc/>
    protected override async Task<RecordResult> RecordAsync(RecordRequest request, RecordContext context)
    {
        if (request.ExposureMs <= 0)
            throw new RpcErrorResponseException("exposure must be positive"); // an error response on purpose, sent as it is

        // The cell may send a Cancel update while we record.
        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var watch = WatchForCancelAsync(context, cancelled);

        var frames = 0;
        try
        {
            for (; frames < request.Frames; frames++)
            {
                await ReportAsync(context, new RecordState("exposing", frames));
                await Task.Delay(request.ExposureMs, cancelled.Token); // the exposure itself
                await ReportAsync(context, new RecordState("done: robot may move", frames));
                await context.SendImageAsync(new Image(frames, 4, 3, Pixels(frames)));
            }
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            return new RecordResult(frames, Cancelled: true);
        }
        finally
        {
            await cancelled.CancelAsync();
            await watch;
        }

        return new RecordResult(frames, Cancelled: false);
    }

    // A state change goes to the caller as an update and to everyone listening as a stream message.
    private static async Task ReportAsync(RecordContext context, RecordState state)
    {
        await context.SendStateAsync(state);
        await context.SendRecordStateChangedAsync(state);
    }

    private static async Task WatchForCancelAsync(RecordContext context, CancellationTokenSource cancelled)
    {
        try
        {
            await foreach (var update in context.ReadUpdatesAsync(cancelled.Token))
            {
                if (update is ICamera.RecordRequestUpdate.Cancel cancel)
                {
                    Console.WriteLine($"server: cancel requested ({cancel.Value.Reason})");
                    await cancelled.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The recording finished first.
        }
    }

    private static byte[] Pixels(int frame)
    {
        var pixels = new byte[4 * 3];
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)(frame * 16 + i);
        return pixels;
    }
}
