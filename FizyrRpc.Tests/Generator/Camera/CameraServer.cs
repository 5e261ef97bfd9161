namespace FizyrRpc.Tests.Generator.Camera;

/// <summary>
/// A camera server for the end-to-end tests. Record with Frames &gt; 0 sends a state, one image per frame and a final
/// "done" state stream message; Frames == 0 records until the requester sends a cancel update.
/// </summary>
public sealed class CameraServer : ICamera.ServerBase
{
    /// <summary>The first trigger stream message received.</summary>
    public TaskCompletionSource<TriggerEvent> Trigger { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The first stream message with an undeclared ID received.</summary>
    public TaskCompletionSource<int> UnknownStream { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override Task PingAsync(PingContext context) => Task.CompletedTask;

    protected override async Task<RecordResult> RecordAsync(RecordRequest request, RecordContext context)
    {
        await context.SendStateAsync(new RecordState("recording", 0));
        if (request.Frames == 0)
        {
            await context.SendImageAsync(new Image(0, [1, 2, 3]));
            await foreach (var update in context.ReadUpdatesAsync())
            {
                if (update is ICamera.RecordRequestUpdate.Cancel cancel)
                    return new RecordResult(1, true, cancel.Value.Text);
            }

            throw new InvalidOperationException("the request ended without a cancel update");
        }

        for (var i = 0; i < request.Frames; i++)
            await context.SendImageAsync(new Image(i, [(byte)i]));
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

    protected override ValueTask OnUnknownStreamAsync(Message<StreamBody> stream, StreamContext context)
    {
        UnknownStream.TrySetResult(stream.ServiceId);
        return default;
    }
}
