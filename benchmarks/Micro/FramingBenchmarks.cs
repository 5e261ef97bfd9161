using System.Buffers;
using BenchmarkDotNet.Attributes;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>Reading one frame with a 64-byte body from a contiguous and a fragmented buffer, and writing one.</summary>
[MemoryDiagnoser]
public class FramingBenchmarks : ISmokeCheck
{
    private const int BodyLength = 64;
    private const Endian Order = Endian.Little;
    private static readonly MessageHeader Header = MessageHeader.Request(42, 7);

    private readonly byte[] _body = Expected.Body(BodyLength);
    private readonly ArrayBufferWriter<byte> _writer = new(256);
    private byte[] _frame = [];
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _multi;

    [GlobalSetup]
    public void Setup()
    {
        _frame = Expected.Frame(Header, _body, Order);
        _single = new ReadOnlySequence<byte>(_frame);
        // Cuts inside the length prefix, inside the header and inside the body: the slow paths of every part.
        _multi = ChunkedSequence.Create(_frame, 2, 9, 40);
    }

    [Benchmark]
    public ReadFrame TryReadFrameSingleSegment() => Read(_single);

    [Benchmark]
    public ReadFrame TryReadFrameMultiSegment() => Read(_multi);

    [Benchmark]
    public int WriteFrame()
    {
        _writer.ResetWrittenCount();
        StreamFraming.WriteFrame(_writer, Header, _body, Order);
        return _writer.WrittenCount;
    }

    private static ReadFrame Read(ReadOnlySequence<byte> buffer)
    {
        var found = StreamFraming.TryReadFrame(ref buffer, Order, maxBodyLength: 8192, out var header, out var body);
        return new ReadFrame(found, header, body, buffer.Length);
    }

    public string? Check(string method, object? result) => method switch
    {
        nameof(TryReadFrameSingleSegment) or nameof(TryReadFrameMultiSegment) => CheckRead(result),
        nameof(WriteFrame) => _writer.WrittenSpan.SequenceEqual(_frame) && result is int written && written == _frame.Length
            ? null
            : $"wrote {Convert.ToHexString(_writer.WrittenSpan)}, expected {Convert.ToHexString(_frame)}",
        _ => $"no check for {method}",
    };

    private string? CheckRead(object? result)
    {
        if (result is not ReadFrame frame || !frame.Found)
            return "no frame found in a buffer holding a whole one";
        if (frame.Header != Header)
            return $"header {frame.Header}, expected {Header}";
        if (!frame.Body.ToArray().AsSpan().SequenceEqual(_body))
            return $"body {Convert.ToHexString(frame.Body.ToArray())}, expected {Convert.ToHexString(_body)}";
        return frame.Remaining == 0 ? null : $"{frame.Remaining} bytes left in the buffer, expected 0";
    }
}
