using FizyrRpc;

namespace FizyrRpc.Samples.Camera;

/// <summary>Interface to a camera server.</summary>
[RpcService]
public partial interface ICamera
{
    /// <summary>Ping the server.</summary>
    [Service(0)]
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Record an image.</summary>
    [Service(1)]
    [RequestUpdate(10, typeof(CancelReason), Name = "Cancel")]
    [ResponseUpdate(11, typeof(RecordState), Name = "State")]
    [ResponseUpdate(12, typeof(Image), Name = "Image")]
    Task<RecordResult> RecordAsync(RecordRequest request, CancellationToken cancellationToken = default);

    /// <summary>Sent whenever the record state changes.</summary>
    [Stream(11)]
    Task RecordStateChangedAsync(RecordState state);
}

/// <summary>What to record.</summary>
/// <param name="ExposureMs">The exposure time in milliseconds; must be positive.</param>
/// <param name="Frames">How many frames to take.</param>
public sealed record RecordRequest(int ExposureMs, int Frames);

/// <summary>Why the cell asked to stop.</summary>
/// <param name="Reason">A readable reason.</param>
public sealed record CancelReason(string Reason);

/// <summary>Where a recording is.</summary>
/// <param name="Phase">"exposing", "done: robot may move", "processing", ...</param>
/// <param name="Frame">The frame it concerns.</param>
public sealed record RecordState(string Phase, int Frame);

/// <summary>One recorded image.</summary>
/// <param name="Frame">The frame number.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Pixels">The pixels, one byte each.</param>
public sealed record Image(int Frame, int Width, int Height, byte[] Pixels);

/// <summary>The outcome of a recording.</summary>
/// <param name="FramesRecorded">How many frames were recorded.</param>
/// <param name="Cancelled">Whether the recording was cancelled.</param>
public sealed record RecordResult(int FramesRecorded, bool Cancelled);
