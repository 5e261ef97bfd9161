using FizyrRpc;
using MessagePack;

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
[MessagePackObject]
public sealed record RecordRequest([property: Key(0)] int ExposureMs, [property: Key(1)] int Frames);

/// <summary>Why the cell asked to stop.</summary>
/// <param name="Reason">A readable reason.</param>
[MessagePackObject]
public sealed record CancelReason([property: Key(0)] string Reason);

/// <summary>Where a recording is.</summary>
/// <param name="Phase">"exposing", "done: robot may move", "processing", ...</param>
/// <param name="Frame">The frame it concerns.</param>
[MessagePackObject]
public sealed record RecordState([property: Key(0)] string Phase, [property: Key(1)] int Frame);

/// <summary>One recorded image.</summary>
/// <param name="Frame">The frame number.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Pixels">The pixels, one byte each.</param>
[MessagePackObject]
public sealed record Image([property: Key(0)] int Frame, [property: Key(1)] int Width, [property: Key(2)] int Height, [property: Key(3)] byte[] Pixels);

/// <summary>The outcome of a recording.</summary>
/// <param name="FramesRecorded">How many frames were recorded.</param>
/// <param name="Cancelled">Whether the recording was cancelled.</param>
[MessagePackObject]
public sealed record RecordResult([property: Key(0)] int FramesRecorded, [property: Key(1)] bool Cancelled);
