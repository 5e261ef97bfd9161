using MessagePack;

namespace FizyrRpc.Tests.Generator.Camera;

/// <summary>What to record.</summary>
[MessagePackObject]
public sealed record RecordRequest([property: Key(0)] string Scene, [property: Key(1)] int Frames);

/// <summary>Why the requester cancels a recording.</summary>
[MessagePackObject]
public sealed record CancelReason([property: Key(0)] string Text);

/// <summary>The state of a recording, sent as a response update and as a stream message.</summary>
[MessagePackObject]
public sealed record RecordState([property: Key(0)] string Phase, [property: Key(1)] int Progress);

/// <summary>One recorded frame.</summary>
[MessagePackObject]
public sealed record Image([property: Key(0)] int Index, [property: Key(1)] byte[] Pixels);

/// <summary>The result of a recording.</summary>
[MessagePackObject]
public sealed record RecordResult([property: Key(0)] int FrameCount, [property: Key(1)] bool Cancelled, [property: Key(2)] string? CancelText);

/// <summary>A hardware trigger the remote reports.</summary>
[MessagePackObject]
public sealed record TriggerEvent([property: Key(0)] int Line, [property: Key(1)] long Timestamp);
