using MessagePack;

namespace FizyrRpc.Fuzz;

// Representative body types, as an [RpcService] interface declares them: positional records with keys (MessagePack) and
// snake_case names (JSON), scalars, strings, bytes, collections, nesting, nullables and an enum.

/// <summary>A flat record of scalars.</summary>
[MessagePackObject]
public sealed record Scalars(
    [property: Key(0)] int Count,
    [property: Key(1)] long Offset,
    [property: Key(2)] double Ratio,
    [property: Key(3)] bool Enabled,
    [property: Key(4)] uint Flags,
    [property: Key(5)] Mode Mode);

/// <summary>An enum body field.</summary>
public enum Mode
{
    /// <summary>The first.</summary>
    Idle,

    /// <summary>The second.</summary>
    Busy,
}

/// <summary>A record with strings, bytes, collections and a nested, nullable record.</summary>
[MessagePackObject]
public sealed record Document(
    [property: Key(0)] string Name,
    [property: Key(1)] byte[]? Data,
    [property: Key(2)] List<string>? Tags,
    [property: Key(3)] Dictionary<string, int>? Counts,
    [property: Key(4)] Scalars? Settings,
    [property: Key(5)] int[]? Values,
    [property: Key(6)] Document? Child);
