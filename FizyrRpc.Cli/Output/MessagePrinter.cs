using System.Text.Json;

namespace FizyrRpc.Cli.Output;

/// <summary>
/// Prints messages as <c>call</c> and <c>listen</c> show them: <c>TYPE SERVICE_ID BODY</c> (<c>error TEXT</c> for an
/// error response), or with <c>--json</c> one object per line with <c>type</c>, <c>request_id</c>, <c>service_id</c>,
/// <c>body_text</c> or <c>body_hex</c>, and <c>body</c> when <c>--format</c> decodes it.
/// </summary>
internal sealed class MessagePrinter(LineWriter lines, BodyDisplay display, bool json)
{
    /// <summary>The type an error response is shown with.</summary>
    public const string ErrorType = "error";

    /// <summary>Prints one message; <paramref name="extra"/> adds JSON properties (e.g. the connection of <c>listen</c>).</summary>
    public void Print(string type, MessageHeader header, ReadOnlyMemory<byte> body, Action<Utf8JsonWriter>? extra = null)
    {
        var isError = type == ErrorType;
        if (json)
        {
            lines.WriteJson(writer =>
            {
                writer.WriteString("type", type);
                writer.WriteNumber("request_id", header.RequestId);
                writer.WriteNumber("service_id", header.ServiceId);
                extra?.Invoke(writer);
                display.WriteJsonFields(writer, body, decode: !isError);
            });
        }
        else
        {
            lines.WriteLine(isError ? $"{ErrorType} {BodyDisplay.ShowRaw(body.Span)}" : $"{type} {header.ServiceId} {display.Show(body)}");
        }
    }

    /// <summary>The type name of a message: request, response, error, update (either side's) or stream.</summary>
    public static string TypeOf(in MessageHeader header) => header.MessageType switch
    {
        MessageType.Request => "request",
        MessageType.Response when header.IsErrorResponse => ErrorType,
        MessageType.Response => "response",
        MessageType.Stream => "stream",
        _ => "update",
    };
}
