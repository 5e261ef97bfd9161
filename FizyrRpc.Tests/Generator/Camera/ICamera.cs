namespace FizyrRpc.Tests.Generator.Camera;

/// <summary>Interface to a camera server.</summary>
[RpcService]
public partial interface ICamera
{
    /// <summary>Ping the server.</summary>
    [Service(0)]
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Record images: sends the state and each image as updates, stops early on a cancel update.</summary>
    [Service(1)]
    [RequestUpdate(10, typeof(CancelReason), Name = "Cancel")]
    [ResponseUpdate(11, typeof(RecordState), Name = "State")]
    [ResponseUpdate(12, typeof(Image))]
    Task<RecordResult> RecordAsync(RecordRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a setting by name; an unknown name is an error.</summary>
    [Service(2)]
    ValueTask<string> GetSettingAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Sent whenever the record state changes.</summary>
    [Stream(11)]
    Task RecordStateChangedAsync(RecordState state);

    /// <summary>A hardware trigger fired.</summary>
    [Stream(12)]
    ValueTask TriggerAsync(TriggerEvent trigger, CancellationToken cancellationToken = default);
}
