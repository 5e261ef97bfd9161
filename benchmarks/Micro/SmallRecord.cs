using MessagePack;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>A typical small body: a few scalars and a short string.</summary>
[MessagePackObject]
public sealed record SmallRecord(
    [property: Key(0)] int Id,
    [property: Key(1)] string Name,
    [property: Key(2)] double Value,
    [property: Key(3)] bool Enabled);
