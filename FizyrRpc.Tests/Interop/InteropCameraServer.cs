using System.Threading.Channels;
using FizyrRpc.Tests.Generator.Camera;

namespace FizyrRpc.Tests.Interop;

/// <summary>
/// A camera server on the generated base that shows on the wire what each handler does. Record with Frames &gt; 0
/// sends a State update, one Image update per frame, a "done" stream message, then answers; Frames == 0 sends a State
/// update and hands every request update to <see cref="RequestUpdates"/> until a Cancel comes. Scene "fail" throws.
/// </summary>
public sealed class InteropCameraServer : ICamera.ServerBase
{
    public InteropCameraServer(IRpcFormat? format = null)
        : base(format)
    {
    }

    /// <summary>The request updates the Record handler read, typed, in order.</summary>
    public Channel<ICamera.RecordRequestUpdate> RequestUpdates { get; } = Channel.CreateUnbounded<ICamera.RecordRequestUpdate>();

    /// <summary>The first trigger stream message received.</summary>
    public TaskCompletionSource<TriggerEvent> Trigger { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override Task PingAsync(PingContext context) => Task.CompletedTask;

    protected override async Task<RecordResult> RecordAsync(RecordRequest request, RecordContext context)
    {
        if (request.Scene == "fail")
            throw new RpcErrorResponseException("lens cap still on ✗");

        await context.SendStateAsync(new RecordState("recording", 0));
        if (request.Frames == 0)
        {
            await foreach (var update in context.ReadUpdatesAsync())
            {
                await RequestUpdates.Writer.WriteAsync(update, context.CancellationToken);
                if (update is ICamera.RecordRequestUpdate.Cancel cancel)
                    return new RecordResult(0, true, cancel.Value.Text);
            }

            throw new InvalidOperationException("the request ended without a cancel update");
        }

        for (var i = 0; i < request.Frames; i++)
            await context.SendImageAsync(new Image(i, [(byte)(0xf0 + i)]));
        await context.SendRecordStateChangedAsync(new RecordState("done", 100));
        return new RecordResult(request.Frames, false, null);
    }

    protected override ValueTask<string> GetSettingAsync(string name, GetSettingContext context) =>
        name == "exposure" ? ValueTask.FromResult("10ms") : throw new RpcErrorResponseException($"no setting '{name}'");

    protected override ValueTask OnTriggerAsync(TriggerEvent value, StreamContext context)
    {
        Trigger.TrySetResult(value);
        return default;
    }
}
