using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using FizyrRpc.Cli.Output;

namespace FizyrRpc.Cli.Tap;

/// <summary>
/// Prints what a tap sees, one line per message: time, connection, direction, type, request ID, service ID, for a
/// response the time since its request, and the body. Text:
/// <c>14:02:03.123456 #1 C->S request id=0 service=1 hello</c>,
/// <c>14:02:03.123790 #1 S->C response id=0 service=0 +0.334ms hello</c>;
/// with <c>--json</c> the same as an object (<c>time</c>, <c>connection</c>, <c>direction</c> client_to_server or
/// server_to_client, <c>type</c>, <c>request_id</c>, <c>service_id</c>, <c>elapsed_ms</c>, body fields).
/// Requests are paired with their responses per connection and per direction: both sides use the same IDs at once.
/// </summary>
internal sealed class TapLog(LineWriter lines, BodyDisplay display, bool json)
{
    // Open requests: (connection, the request's direction, request ID) -> when it was seen.
    private readonly ConcurrentDictionary<(int Connection, bool FromClient, uint RequestId), long> _open = new();

    /// <summary>A connection was accepted (and its relay to the server opened).</summary>
    public void Connected(int connection, string description) => Event(connection, "connected", description);

    /// <summary>A connection ended; its unanswered requests are forgotten.</summary>
    public void Closed(int connection, string description)
    {
        foreach (var key in _open.Keys)
        {
            if (key.Connection == connection)
                _open.TryRemove(key, out _);
        }

        Event(connection, "closed", description);
    }

    /// <summary>Something happened to a connection that is not a message (a framing error, a failed connect).</summary>
    public void Note(int connection, string text) => Event(connection, "note", text);

    /// <summary>A whole message went one way.</summary>
    public void Message(int connection, bool fromClient, MessageHeader header, ReadOnlyMemory<byte> body, DateTimeOffset time, long timestamp)
    {
        double? elapsedMs = null;
        switch (header.MessageType)
        {
            case MessageType.Request:
                _open[(connection, fromClient, header.RequestId)] = timestamp;
                break;
            case MessageType.Response when _open.TryRemove((connection, !fromClient, header.RequestId), out var sent):
                elapsedMs = Stopwatch.GetElapsedTime(sent, timestamp).TotalMilliseconds;
                break;
        }

        var type = header.MessageType switch
        {
            MessageType.RequesterUpdate => "requester-update",
            MessageType.ResponderUpdate => "responder-update",
            _ => MessagePrinter.TypeOf(header),
        };
        var isError = header.IsErrorResponse;
        if (json)
        {
            lines.WriteJson(writer =>
            {
                writer.WriteString("time", time);
                writer.WriteNumber("connection", connection);
                writer.WriteString("direction", fromClient ? "client_to_server" : "server_to_client");
                writer.WriteString("type", type);
                writer.WriteNumber("request_id", header.RequestId);
                writer.WriteNumber("service_id", header.ServiceId);
                if (elapsedMs is { } ms)
                    writer.WriteNumber("elapsed_ms", Math.Round(ms, 3));
                display.WriteJsonFields(writer, body, decode: !isError);
            });
            return;
        }

        var elapsed = elapsedMs is { } value ? " +" + value.ToString("0.000", CultureInfo.InvariantCulture) + "ms" : "";
        var shown = isError ? BodyDisplay.ShowRaw(body.Span) : display.Show(body);
        lines.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{time.ToLocalTime():HH:mm:ss.ffffff} #{connection} {(fromClient ? "C->S" : "S->C")} {type} id={header.RequestId} service={header.ServiceId}{elapsed} {shown}"));
    }

    private void Event(int connection, string type, string text)
    {
        var time = DateTimeOffset.Now;
        if (json)
        {
            lines.WriteJson(writer =>
            {
                writer.WriteString("time", time);
                writer.WriteNumber("connection", connection);
                writer.WriteString("type", type);
                writer.WriteString("text", text);
            });
        }
        else
        {
            lines.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{time:HH:mm:ss.ffffff} #{connection} {type} {text}"));
        }
    }
}
