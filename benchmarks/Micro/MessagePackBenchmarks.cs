using BenchmarkDotNet.Attributes;
using MessagePack;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>A small record through MessagePackFormat, the default body format, both ways.</summary>
[MemoryDiagnoser]
public class MessagePackBenchmarks : ISmokeCheck
{
    private static readonly SmallRecord Value = new(12345, "camera-3", 0.75, Enabled: true);

    private readonly MessagePackFormat _format = MessagePackFormat.Default;
    private ReadOnlyMemory<byte> _encoded;

    [GlobalSetup]
    public void Setup() => _encoded = _format.Encode(Value);

    [Benchmark]
    public ReadOnlyMemory<byte> Encode() => _format.Encode(Value);

    [Benchmark]
    public SmallRecord Decode() => _format.Decode<SmallRecord>(_encoded);

    public string? Check(string method, object? result)
    {
        switch (method)
        {
            case nameof(Encode):
                if (result is not ReadOnlyMemory<byte> bytes)
                    return $"returned {result?.GetType().Name ?? "null"}";
                // Read back with MessagePack itself, not through the format under test.
                var decoded = MessagePackSerializer.Deserialize<SmallRecord>(bytes);
                return decoded == Value ? null : $"encoded {Convert.ToHexString(bytes.Span)}, which reads back as {decoded}";
            case nameof(Decode):
                return result is SmallRecord record && record == Value ? null : $"decoded {result}, expected {Value}";
            default:
                return $"no check for {method}";
        }
    }
}
