namespace FizyrRpc.Tests.Interop;

/// <summary>What to expose: {"exposure_ms":..,"frame_count":..} on the wire.</summary>
public sealed record ExposureRequest(int ExposureMs, int FrameCount);

/// <summary>Why the requester aborts.</summary>
public sealed record AbortReason(string ReasonText);

/// <summary>How far an exposure is.</summary>
public sealed record ExposureProgress(int PercentDone, string PhaseName);

/// <summary>One exposed frame; the pixels as a JSON array of numbers, as serde_json writes a Vec.</summary>
public sealed record ExposureFrame(int FrameIndex, int[] PixelValues)
{
    public bool Equals(ExposureFrame? other) =>
        other is not null && FrameIndex == other.FrameIndex && PixelValues.SequenceEqual(other.PixelValues);

    public override int GetHashCode() => FrameIndex;
}

/// <summary>The result of an exposure; AbortText is an Option&lt;String&gt; on the Rust side.</summary>
public sealed record ExposureResult(int FramesTaken, bool WasAborted, string? AbortText);

/// <summary>Where the shutter is.</summary>
public sealed record ShutterPosition(bool IsOpen, int AngleDeg);
