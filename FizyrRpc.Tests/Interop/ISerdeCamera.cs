using System.Text.Json.Serialization;

namespace FizyrRpc.Tests.Interop;

/// <summary>The Rust reference's typed camera peer as far as the captured bytes of issue 10 show it (serde_json bodies).</summary>
[RpcService]
public partial interface ISerdeCamera
{
    /// <summary>Ping: () both ways.</summary>
    [Service(1)]
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Capture: frames as response updates with ID 2.</summary>
    [Service(3)]
    [ResponseUpdate(2, typeof(SerdeFrame), Name = "Frame")]
    Task<CaptureSummary> CaptureAsync(CaptureRequest request, CancellationToken cancellationToken = default);
}

/// <summary>{"count":..,"tag":..}; tag is a String (not an Option) on the Rust side.</summary>
public sealed record CaptureRequest(int Count, string Tag);

/// <summary>{"width":..,"height":..,"pixels":[..]}: pixels is a Vec&lt;u8&gt;.</summary>
public sealed record SerdeFrame(int Width, int Height, byte[] Pixels)
{
    public bool Equals(SerdeFrame? other) =>
        other is not null && (Width, Height) == (other.Width, other.Height) && Pixels.AsSpan().SequenceEqual(other.Pixels);

    public override int GetHashCode() => HashCode.Combine(Width, Height);
}

/// <summary>{"frames":..,"note":..}: note is an Option&lt;String&gt;.</summary>
public sealed record CaptureSummary(int Frames, string? Note);

/// <summary>A source-generated context for the serde preset's AOT form: no naming policy or converter of its own.</summary>
[JsonSerializable(typeof(CaptureRequest))]
[JsonSerializable(typeof(SerdeFrame))]
[JsonSerializable(typeof(CaptureSummary))]
internal sealed partial class SerdeCameraJsonContext : JsonSerializerContext;

/// <summary>A context whose own options contradict the preset: camelCase names, nulls left out, base64 kept by a converter.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(Base64BytesConverter)])]
[JsonSerializable(typeof(SerdeFrame))]
internal sealed partial class ContradictingJsonContext : JsonSerializerContext;

/// <summary>A byte[] converter that is not the serde one.</summary>
public sealed class Base64BytesConverter : JsonConverter<byte[]>
{
    public override byte[]? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        reader.GetBytesFromBase64();

    public override void Write(System.Text.Json.Utf8JsonWriter writer, byte[] value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(value);
}

/// <summary>The camera as the Rust reference's typed peer behaves: Capture sends one 2×2 frame then answers; count -1 is cancelled on purpose.</summary>
public sealed class SerdeCameraServer(IRpcFormat format) : ISerdeCamera.ServerBase(format)
{
    protected override Task PingAsync(PingContext context) => Task.CompletedTask;

    protected override async Task<CaptureSummary> CaptureAsync(CaptureRequest request, CaptureContext context)
    {
        if (request.Count < 0)
            throw new RpcErrorResponseException("cancelled: stop");
        await context.SendFrameAsync(new SerdeFrame(2, 2, [1, 2, 3, 4]));
        return new CaptureSummary(request.Count, null);
    }
}
