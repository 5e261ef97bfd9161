using System.Text.Json.Serialization;
using MessagePack;

namespace FizyrRpc.Tests.Formats;

// Body types the format tests encode. The MessagePack attributes are ignored by System.Text.Json, so one set of types
// serves both structured formats.

/// <summary>A positional record.</summary>
[MessagePackObject]
public sealed record Point([property: Key(0)] int X, [property: Key(1)] int Y);

/// <summary>A record with a multi-word field, as the reference's Rust structs have them.</summary>
[MessagePackObject]
public sealed record RecordState(
    [property: Key(0)] int FrameCount,
    [property: Key(1)] bool IsRecording,
    [property: Key(2)] string? Label);

/// <summary>A mutable class with nested collections and a nullable field.</summary>
[MessagePackObject]
public sealed class Settings
{
    [Key(0)]
    public string Name { get; set; } = "";

    [Key(1)]
    public List<int> Values { get; set; } = [];

    [Key(2)]
    public double? Gain { get; set; }

    [Key(3)]
    public Dictionary<string, Point> Markers { get; set; } = [];
}

/// <summary>A class MessagePack's standard resolver refuses: it carries no [MessagePackObject].</summary>
public sealed class NotAnnotated
{
    public int Value { get; set; }
}

/// <summary>A node that can point at itself, which JSON cannot encode.</summary>
public sealed class Node
{
    public Node? Next { get; set; }
}

/// <summary>A source-generated JSON context: the format resolves only these types, with no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RecordState))]
[JsonSerializable(typeof(List<Point>))]
[JsonSerializable(typeof(int))]
internal sealed partial class FormatsJsonContext : JsonSerializerContext;
