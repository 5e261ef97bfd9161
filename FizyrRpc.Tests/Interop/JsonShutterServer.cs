using System.Threading.Channels;

namespace FizyrRpc.Tests.Interop;

/// <summary>
/// A JSON shutter server on the generated base. Expose with FrameCount &gt; 0 sends a Progress update, one Frame update
/// per frame, a ShutterMoved stream message, then answers; FrameCount == 0 sends a Progress update and hands every
/// request update to <see cref="RequestUpdates"/> until an Abort comes; a negative exposure throws.
/// </summary>
public sealed class JsonShutterServer() : IShutter.ServerBase(new JsonFormat())
{
    /// <summary>The request updates the Expose handler read, typed, in order.</summary>
    public Channel<IShutter.ExposeRequestUpdate> RequestUpdates { get; } = Channel.CreateUnbounded<IShutter.ExposeRequestUpdate>();

    protected override Task PingAsync(PingContext context) => Task.CompletedTask;

    protected override async Task<ExposureResult> ExposeAsync(ExposureRequest request, ExposeContext context)
    {
        if (request.ExposureMs < 0)
            throw new RpcErrorResponseException("shutter \"jammed\" ✗");

        if (request.FrameCount == 0)
        {
            await context.SendProgressAsync(new ExposureProgress(0, "waiting"));
            await foreach (var update in context.ReadUpdatesAsync())
            {
                await RequestUpdates.Writer.WriteAsync(update, context.CancellationToken);
                if (update is IShutter.ExposeRequestUpdate.Abort abort)
                    return new ExposureResult(0, true, abort.Value.ReasonText);
            }

            throw new InvalidOperationException("the request ended without an abort update");
        }

        await context.SendProgressAsync(new ExposureProgress(0, "exposing"));
        for (var i = 0; i < request.FrameCount; i++)
            await context.SendFrameAsync(new ExposureFrame(i, [i, i + 1]));
        await context.SendShutterMovedAsync(new ShutterPosition(true, 90));
        return new ExposureResult(request.FrameCount, false, null);
    }

    protected override Task<string> LookupAsync(string key, LookupContext context) =>
        key == "model" ? Task.FromResult("X1") : throw new RpcErrorResponseException($"no key \"{key}\"");
}
