using System.Text.Json;

namespace FizyrRpc.Fuzz;

/// <summary>
/// The typed decoders (<see cref="MessagePackFormat.Decode{T}"/>, <see cref="JsonFormat.Decode{T}"/>) over arbitrary
/// bodies. Input: a byte picking the body type, then the body.
/// </summary>
/// <remarks>
/// Invariants checked, besides "no exception other than <see cref="RpcFormatException"/>": a value that decoded encodes
/// again, and decoding and encoding that encoding gives the same bytes (encode after decode is stable).
/// </remarks>
internal static class FormatTarget
{
    private static readonly MessagePackFormat MessagePack = MessagePackFormat.Default;
    private static readonly JsonFormat Json = new();

    public static void Run(ReadOnlySpan<byte> input, bool json)
    {
        if (input.IsEmpty)
            return;
        IRpcFormat format = json ? Json : MessagePack;
        var body = input[1..].ToArray();
        switch (input[0] % 7)
        {
            case 0: Check<Document>(format, body); break;
            case 1: Check<Scalars>(format, body); break;
            case 2: Check<string>(format, body); break;
            case 3: Check<List<Document>>(format, body); break;
            case 4: Check<Dictionary<string, Scalars>>(format, body); break;
            case 5: Check<byte[]>(format, body); break;
            default: Check<int?>(format, body); break;
        }
    }

    private static void Check<T>(IRpcFormat format, byte[] body)
    {
        T value;
        try
        {
            value = format.Decode<T>(body);
        }
        catch (RpcFormatException)
        {
            return;
        }

        var encoded = Encode(format, value, "a decoded value");
        var again = Encode(format, Decode<T>(format, encoded), "a value decoded from its own encoding");
        if (!encoded.Span.SequenceEqual(again.Span))
            throw new FuzzFailure($"{format.Name} {typeof(T).Name}: encode(decode(x)) is not stable: {Show(encoded)} then {Show(again)}");
    }

    private static ReadOnlyMemory<byte> Encode<T>(IRpcFormat format, T value, string what)
    {
        try
        {
            return format.Encode(value);
        }
        catch (RpcFormatException error)
        {
            throw new FuzzFailure($"{format.Name} {typeof(T).Name}: {what} cannot be encoded: {error.Message}");
        }
    }

    private static T Decode<T>(IRpcFormat format, ReadOnlyMemory<byte> body)
    {
        try
        {
            return format.Decode<T>(body);
        }
        catch (RpcFormatException error)
        {
            throw new FuzzFailure($"{format.Name} {typeof(T).Name}: its own encoding does not decode: {error.Message}");
        }
    }

    private static string Show(ReadOnlyMemory<byte> bytes) =>
        bytes.Length <= 64 ? Convert.ToHexString(bytes.Span) : Convert.ToHexString(bytes.Span[..64]) + "...";
}
