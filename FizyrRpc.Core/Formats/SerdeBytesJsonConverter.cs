using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FizyrRpc;

/// <summary>
/// Writes <c>byte[]</c> as serde_json writes a Rust <c>Vec&lt;u8&gt;</c>, an array of numbers, instead of System.Text.Json's
/// base64 string; reads both. <see cref="JsonFormat"/>'s default options include it; add it to your own options to
/// talk to serde peers.
/// </summary>
public sealed class SerdeBytesJsonConverter : JsonConverter<byte[]>
{
    /// <inheritdoc/>
    public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetBytesFromBase64();
            case JsonTokenType.StartArray:
                var bytes = new ArrayBufferWriter<byte>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetByte(out var value))
                        throw new JsonException("A byte array holds numbers from 0 to 255.");
                    bytes.GetSpan(1)[0] = value;
                    bytes.Advance(1);
                }

                return bytes.WrittenSpan.ToArray();
            default:
                throw new JsonException($"Expected an array of bytes, found {reader.TokenType}.");
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartArray();
        foreach (var b in value)
            writer.WriteNumberValue(b);
        writer.WriteEndArray();
    }
}
