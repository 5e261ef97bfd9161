using BenchmarkDotNet.Attributes;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>Encoding and decoding the 12-byte message header, in both byte orders.</summary>
[MemoryDiagnoser]
public class HeaderBenchmarks : ISmokeCheck
{
    // A responder update: every field non-zero, and a service ID with the sign bit set.
    private static readonly MessageHeader Header = MessageHeader.ResponderUpdate(0x01020304, -5);

    private readonly byte[] _buffer = new byte[MessageHeader.Size];
    private byte[] _encoded = [];

    [Params(Endian.Little, Endian.Big)]
    public Endian Endian { get; set; }

    [GlobalSetup]
    public void Setup() => _encoded = Expected.Header(Header, Endian);

    [Benchmark]
    public void Encode() => Header.Encode(_buffer, Endian);

    [Benchmark]
    public MessageHeader Decode() => MessageHeader.Decode(_encoded, Endian);

    public string? Check(string method, object? result) => method switch
    {
        nameof(Encode) => _buffer.AsSpan().SequenceEqual(_encoded)
            ? null
            : $"encoded {Convert.ToHexString(_buffer)}, expected {Convert.ToHexString(_encoded)}",
        nameof(Decode) => result is MessageHeader header && header == Header
            ? null
            : $"decoded {result}, expected {Header}",
        _ => $"no check for {method}",
    };
}
