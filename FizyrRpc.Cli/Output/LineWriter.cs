using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FizyrRpc.Cli.Output;

/// <summary>
/// Writes whole lines to standard output from any task, one at a time, flushed at once (a script reading the output
/// sees each message as it happens). JSON lines are built with <see cref="Utf8JsonWriter"/>.
/// </summary>
internal sealed class LineWriter(TextWriter output)
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock _lock = new();

    /// <summary>Writes one line.</summary>
    public void WriteLine(string line)
    {
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary>Writes one JSON object as one line; <paramref name="write"/> writes its properties.</summary>
    public void WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
