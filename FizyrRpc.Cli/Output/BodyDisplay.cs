using System.Buffers;
using System.Text;
using System.Text.Json;
using MessagePack;

namespace FizyrRpc.Cli.Output;

/// <summary>How bodies are decoded for display (<c>--format</c>).</summary>
internal enum BodyFormat
{
    /// <summary>As they are: text when printable UTF-8, else hex.</summary>
    Raw,

    /// <summary>JSON, shown compact on one line.</summary>
    Json,

    /// <summary>MessagePack, shown as JSON.</summary>
    MsgPack,
}

/// <summary>
/// Turns a body into what a line shows. A body is text when it is valid UTF-8 without control characters (so one
/// message stays one line) and does not itself start with "0x"; otherwise it is hex prefixed "0x". With a format, a
/// body that decodes is shown as JSON, and one that does not falls back to text or hex.
/// </summary>
internal sealed class BodyDisplay(BodyFormat format)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly MessagePackSerializerOptions UntrustedMessagePack =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>The format bodies are decoded with.</summary>
    public BodyFormat Format { get; } = format;

    /// <summary>The body as one line of text: decoded JSON, printable text or 0x-hex.</summary>
    public string Show(ReadOnlyMemory<byte> body) => TryDecode(body, out var json) ? json : ShowRaw(body.Span);

    /// <summary>The body as printable text or 0x-hex, never decoded (error texts).</summary>
    public static string ShowRaw(ReadOnlySpan<byte> body) =>
        TryGetPrintable(body, out var text) ? text : "0x" + Convert.ToHexStringLower(body);

    /// <summary>Writes <c>body_text</c> or <c>body_hex</c> (hex without prefix), and <c>body</c> (the decoded JSON value) when a format decodes it.</summary>
    public void WriteJsonFields(Utf8JsonWriter writer, ReadOnlyMemory<byte> body, bool decode = true)
    {
        if (TryGetPrintable(body.Span, out var text, allowHexLookalike: true))
            writer.WriteString("body_text", text);
        else
            writer.WriteString("body_hex", Convert.ToHexStringLower(body.Span));
        if (decode && TryDecode(body, out var json))
        {
            writer.WritePropertyName("body");
            writer.WriteRawValue(json, skipInputValidation: true);
        }
    }

    /// <summary>Whether <paramref name="body"/> is valid UTF-8 with no control characters.</summary>
    public static bool TryGetPrintable(ReadOnlySpan<byte> body, out string text, bool allowHexLookalike = false)
    {
        text = "";
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (char.IsControl(c))
                return false;
        }

        return allowHexLookalike || !text.StartsWith("0x", StringComparison.Ordinal);
    }

    /// <summary>Decodes <paramref name="body"/> with the format into compact JSON; an empty body is "no body": null.</summary>
    private bool TryDecode(ReadOnlyMemory<byte> body, out string json)
    {
        json = "";
        if (Format == BodyFormat.Raw)
            return false;
        if (body.IsEmpty)
        {
            json = "null";
            return true;
        }

        try
        {
            json = Format == BodyFormat.MsgPack
                ? DecodeMessagePack(body)
                : Compact(body);
            return true;
        }
        catch (Exception e) when (e is JsonException or MessagePackSerializationException or InvalidOperationException or EndOfStreamException)
        {
            // Not the format (or truncated): shown as it is.
            return false;
        }
    }

    private static string DecodeMessagePack(ReadOnlyMemory<byte> body)
    {
        // One value, the whole body: trailing bytes mean it is not (only) MessagePack.
        var reader = new MessagePackReader(body);
        reader.Skip();
        if (!reader.End)
            throw new InvalidOperationException("Bytes follow the MessagePack value.");
        var text = MessagePackSerializer.ConvertToJson(body, UntrustedMessagePack);
        // ConvertToJson writes what MessagePack holds; reading it back proves it is JSON a script can parse.
        return Compact(Encoding.UTF8.GetBytes(text));
    }

    private static string Compact(ReadOnlyMemory<byte> json)
    {
        using var document = JsonDocument.Parse(json);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            document.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
