namespace FizyrRpc.Tests.Interop;

/// <summary>A shutter with plain-record bodies, as a serde_json peer would declare it (snake_case field names on the wire).</summary>
[RpcService]
public partial interface IShutter
{
    /// <summary>Ping the shutter.</summary>
    [Service(0)]
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Expose: progress and frames as updates, stops early on an abort update.</summary>
    [Service(1)]
    [RequestUpdate(10, typeof(AbortReason), Name = "Abort")]
    [ResponseUpdate(11, typeof(ExposureProgress), Name = "Progress")]
    [ResponseUpdate(12, typeof(ExposureFrame), Name = "Frame")]
    Task<ExposureResult> ExposeAsync(ExposureRequest request, CancellationToken cancellationToken = default);

    /// <summary>Looks up a value by key; an unknown key is an error.</summary>
    [Service(2)]
    Task<string> LookupAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The shutter moved.</summary>
    [Stream(11)]
    Task ShutterMovedAsync(ShutterPosition position);
}
