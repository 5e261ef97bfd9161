using System.Buffers;
using FizyrRpc.Benchmarks.Micro;

namespace FizyrRpc.Fuzz;

/// <summary>
/// The stream framing (<see cref="StreamFraming"/>, <see cref="MessageHeader.Decode"/>) over arbitrary bytes that arrive
/// in arbitrary pieces. Input: a flags byte (bit 0: big endian; the rest picks the body limit), a count byte and that
/// many arrival sizes, then the bytes of the stream.
/// </summary>
/// <remarks>
/// Invariants checked, besides "no exception other than <see cref="RpcProtocolException"/>":
/// the frames and the final error (or the incomplete tail) are the same whether the stream is parsed at once or as it
/// arrives piece by piece in a multi-segment buffer; a "not yet" leaves the buffer unchanged; the header-only read
/// agrees with the whole-frame read; no body exceeds the limit; every frame re-encodes to exactly the bytes it came from.
/// </remarks>
internal static class FrameTarget
{
    private static readonly long[] Limits = [0, 1, 12, 255, 4096, 16 * 1024 * 1024];

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
            return;
        var endian = (input[0] & 1) == 0 ? Endian.Little : Endian.Big;
        var limit = Limits[(input[0] >> 1) % Limits.Length];
        var count = 1 + input[1] % 8;
        if (input.Length < 2 + count)
            return;
        Span<int> sizes = stackalloc int[count];
        for (var i = 0; i < count; i++)
            sizes[i] = 1 + input[2 + i];
        var stream = input[(2 + count)..].ToArray();

        var whole = Parse(stream, endian, limit, arrivals: [stream.Length], pieces: []);
        var arriving = Parse(stream, endian, limit, arrivals: sizes, pieces: sizes);
        Compare(whole, arriving);
        foreach (var frame in whole.Frames)
            CheckEncoding(stream, frame, endian, limit);
    }

    private sealed record Frame(long Offset, MessageHeader Header, byte[] Body);

    private sealed record Outcome(List<Frame> Frames, long Consumed, ProtocolError? Error);

    // Feeds the stream in arrivals (cycling through the sizes), each time parsing every whole frame of what is buffered,
    // as the transport's read loop does; the buffered bytes are cut into pieces of the given sizes.
    private static Outcome Parse(byte[] stream, Endian endian, long limit, ReadOnlySpan<int> arrivals, ReadOnlySpan<int> pieces)
    {
        var frames = new List<Frame>();
        long consumed = 0;
        var available = 0;
        var arrival = 0;
        while (available < stream.Length)
        {
            available = Math.Min(stream.Length, available + Math.Max(1, arrivals[arrival++ % arrivals.Length]));
            while (true)
            {
                var buffer = Buffered(stream.AsSpan((int)consumed, available - (int)consumed), pieces);
                var before = buffer;
                bool read;
                MessageHeader header;
                ReadOnlySequence<byte> body;
                try
                {
                    read = StreamFraming.TryReadFrame(ref buffer, endian, limit, out header, out body);
                }
                catch (RpcProtocolException error)
                {
                    if (!error.IsFatal)
                        throw new FuzzFailure($"a framing error that is not fatal: {error.Error}");
                    return new Outcome(frames, consumed, error.Error);
                }

                var headerRead = StreamFraming.TryReadFrameHeader(before, endian, limit, out var header2, out var bodyLength);
                if (!read)
                {
                    if (!buffer.Start.Equals(before.Start) || buffer.Length != before.Length)
                        throw new FuzzFailure("TryReadFrame returned false but changed the buffer");
                    if (headerRead && StreamFraming.GetFrameLength(bodyLength) <= before.Length)
                        throw new FuzzFailure("the header read says the frame is all there, the frame read says it is not");
                    break;
                }

                if (!headerRead || header2 != header || bodyLength != body.Length)
                    throw new FuzzFailure($"the header read ({headerRead}, {header2}, {bodyLength}) disagrees with the frame read ({header}, {body.Length})");
                if (body.Length > limit)
                    throw new FuzzFailure($"a body of {body.Length} bytes passed the limit {limit}");
                if (before.Length - buffer.Length != StreamFraming.GetFrameLength(body.Length))
                    throw new FuzzFailure("the buffer was not advanced by exactly one frame");
                frames.Add(new Frame(consumed, header, body.ToArray()));
                consumed += StreamFraming.GetFrameLength(body.Length);
            }
        }

        return new Outcome(frames, consumed, null);
    }

    // The buffered bytes as separate arrays of the given sizes (cycling), so a read across a cut by mistake reads the wrong bytes.
    private static ReadOnlySequence<byte> Buffered(ReadOnlySpan<byte> data, ReadOnlySpan<int> pieces)
    {
        if (data.IsEmpty)
            return ReadOnlySequence<byte>.Empty;
        if (pieces.IsEmpty)
            return new ReadOnlySequence<byte>(data.ToArray());
        var cuts = new List<int>();
        for (int at = pieces[0], i = 1; at < data.Length; at += pieces[i++ % pieces.Length])
            cuts.Add(at);
        return ChunkedSequence.Create(data.ToArray(), [.. cuts]);
    }

    private static void Compare(Outcome whole, Outcome arriving)
    {
        if (whole.Error != arriving.Error)
            throw new FuzzFailure($"parsed at once: {Describe(whole)}; parsed as it arrived: {Describe(arriving)}");
        if (whole.Frames.Count != arriving.Frames.Count || whole.Consumed != arriving.Consumed)
            throw new FuzzFailure($"parsed at once: {Describe(whole)}; parsed as it arrived: {Describe(arriving)}");
        for (var i = 0; i < whole.Frames.Count; i++)
        {
            var (a, b) = (whole.Frames[i], arriving.Frames[i]);
            if (a.Offset != b.Offset || a.Header != b.Header || !a.Body.AsSpan().SequenceEqual(b.Body))
                throw new FuzzFailure($"frame {i} differs: {a.Header} ({a.Body.Length} bytes) vs {b.Header} ({b.Body.Length} bytes)");
        }
    }

    private static string Describe(Outcome outcome) =>
        $"{outcome.Frames.Count} frames, {outcome.Consumed} bytes, {(outcome.Error is { } error ? error.ToString() : "no error")}";

    private static void CheckEncoding(byte[] stream, Frame frame, Endian endian, long limit)
    {
        var writer = new ArrayBufferWriter<byte>();
        StreamFraming.WriteFrame(writer, frame.Header, frame.Body, endian);
        var original = stream.AsSpan((int)frame.Offset, writer.WrittenCount);
        if (!writer.WrittenSpan.SequenceEqual(original))
            throw new FuzzFailure($"{frame.Header} re-encodes to other bytes than it was read from");

        // The header on its own: decode and encode are each other's inverse.
        var decoded = MessageHeader.Decode(original[StreamFraming.LengthPrefixSize..], endian);
        Span<byte> encoded = stackalloc byte[MessageHeader.Size];
        decoded.Encode(encoded, endian);
        if (decoded != frame.Header || !encoded.SequenceEqual(original.Slice(StreamFraming.LengthPrefixSize, MessageHeader.Size)))
            throw new FuzzFailure($"{frame.Header}: MessageHeader.Decode and Encode disagree");
        if (frame.Body.Length > limit)
            throw new FuzzFailure("a body over the limit");
    }
}
