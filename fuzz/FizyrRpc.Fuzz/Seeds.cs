using System.Buffers;

namespace FizyrRpc.Fuzz;

/// <summary>The starting corpus: well-formed inputs of every target, which the fuzzer mutates from.</summary>
internal static class Seeds
{
    public static IEnumerable<(string Name, byte[] Input)> All()
    {
        // Frames: a few streams of valid frames in both byte orders, arriving whole or a byte at a time.
        var headers = new[]
        {
            MessageHeader.Request(1, 7), MessageHeader.Response(1, 0), MessageHeader.ErrorResponse(2),
            MessageHeader.RequesterUpdate(3, 4), MessageHeader.ResponderUpdate(3, -5), MessageHeader.Stream(9),
        };
        foreach (var endian in new[] { Endian.Little, Endian.Big })
        {
            var writer = new ArrayBufferWriter<byte>();
            var i = 0;
            foreach (var header in headers)
                StreamFraming.WriteFrame(writer, header, Enumerable.Range(0, i++ * 3).Select(b => (byte)b).ToArray(), endian);
            var stream = writer.WrittenSpan.ToArray();
            var flags = (byte)((endian == Endian.Big ? 1 : 0) | (4 << 1)); // limit 4096
            yield return ($"frames-{endian}-whole", [0, flags, 0, 255, .. stream]);
            yield return ($"frames-{endian}-bytewise", [0, flags, 0, 0, .. stream]);
            yield return ($"frames-{endian}-mixed", [0, flags, 2, 3, 12, 0, .. stream]);
        }

        // Bodies: each type's value in both formats.
        var document = new Document("camera", [1, 2, 3], ["a", "b"], new() { ["x"] = 1 },
            new Scalars(3, -4, 0.5, true, 7, Mode.Busy), [1, -2, 3], new Document("child", null, null, null, null, null, null));
        var values = new (int Type, Func<IRpcFormat, ReadOnlyMemory<byte>> Encode)[]
        {
            (0, f => f.Encode(document)),
            (1, f => f.Encode(document.Settings)),
            (2, f => f.Encode("héllo")),
            (3, f => f.Encode(new List<Document> { document, document })),
            (4, f => f.Encode(new Dictionary<string, Scalars> { ["s"] = document.Settings! })),
            (5, f => f.Encode(new byte[] { 0, 255, 7 })),
            (6, f => f.Encode<int?>(42)),
        };
        foreach (var (target, format) in new (byte, IRpcFormat)[] { (1, MessagePackFormat.Default), (2, new JsonFormat()) })
        {
            foreach (var (type, encode) in values)
                yield return ($"{format.Name}-{type}", [target, (byte)type, .. encode(format).Span]);
        }
    }
}
