using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace FizyrRpc.Tests.TestSupport;

/// <summary>A well-formed message of the vector file, in both of its encodings.</summary>
public sealed record ValidVector(
    string Name,
    Endian Endian,
    uint Type,
    uint RequestId,
    int ServiceId,
    byte[] Body,
    byte[] Framed,
    byte[] Datagram,
    string Note)
{
    /// <summary>The header the vector describes.</summary>
    public MessageHeader Header => new((MessageType)Type, RequestId, ServiceId);

    /// <summary>The 12 header bytes (the datagram without its body).</summary>
    public byte[] HeaderBytes => Datagram[..MessageHeader.Size];

    public override string ToString() => Name;
}

/// <summary>A byte-stream frame of the vector file that a conforming peer must reject or handle specially.</summary>
public sealed record InvalidVector(string Name, byte[] Framed, string Expect)
{
    public override string ToString() => Name;
}

/// <summary>A peer-level scenario of the vector file; <see cref="Frames"/> are the frames its steps quote.</summary>
public sealed record SequenceVector(string Name, IReadOnlyList<string> Steps, string Note, IReadOnlyList<byte[]> Frames)
{
    public override string ToString() => Name;
}

/// <summary>A seqpacket datagram of the vector file that a conforming peer must reject or handle specially.</summary>
public sealed record SeqpacketInvalidVector(string Name, byte[] Datagram, string Expect)
{
    public override string ToString() => Name;
}

/// <summary>
/// Loads TestData/vectors.json (a copy of the shared wire vectors) once, for every test that needs it.
/// Hex strings are decoded to bytes; the endian names become <see cref="Endian"/> values.
/// </summary>
public static partial class WireVectors
{
    private static readonly Lazy<VectorSet> Set = new(Load);

    /// <summary>The path of the vector file in the test output directory.</summary>
    public static string FilePath => Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "vectors.json");

    public static IReadOnlyList<ValidVector> Valid => Set.Value.Valid;

    public static IReadOnlyList<InvalidVector> Invalid => Set.Value.Invalid;

    public static IReadOnlyList<SequenceVector> Sequences => Set.Value.Sequences;

    public static IReadOnlyList<SeqpacketInvalidVector> SeqpacketInvalid => Set.Value.SeqpacketInvalid;

    /// <summary>The valid vector called <paramref name="name"/>.</summary>
    public static ValidVector GetValid(string name) =>
        Valid.SingleOrDefault(v => v.Name == name) ?? throw new KeyNotFoundException($"No valid vector named '{name}'.");

    /// <summary>The invalid vector called <paramref name="name"/>.</summary>
    public static InvalidVector GetInvalid(string name) =>
        Invalid.SingleOrDefault(v => v.Name == name) ?? throw new KeyNotFoundException($"No invalid vector named '{name}'.");

    /// <summary>Decodes a hex string (either case, no separators; spaces are ignored).</summary>
    public static byte[] FromHex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>Parses the endian names of the vector file.</summary>
    public static Endian ParseEndian(string name) => name switch
    {
        "little" => Endian.Little,
        "big" => Endian.Big,
        "native" => Endian.Native,
        _ => throw new InvalidDataException($"Unknown endian '{name}' in the vector file."),
    };

    private static VectorSet Load()
    {
        using var stream = File.OpenRead(FilePath);
        var file = JsonSerializer.Deserialize<FileDto>(stream)
            ?? throw new InvalidDataException($"{FilePath} is empty.");

        var valid = Required(file.Valid, "valid").Select(v => new ValidVector(
            Required(v.Name, "name"),
            ParseEndian(Required(v.Endian, "endian")),
            v.Type,
            v.RequestId,
            v.ServiceId,
            FromHex(Required(v.BodyHex, "body_hex")),
            FromHex(Required(v.FramedHex, "framed_hex")),
            FromHex(Required(v.DatagramHex, "datagram_hex")),
            v.Note ?? string.Empty)).ToArray();

        var invalid = Required(file.Invalid, "invalid").Select(v => new InvalidVector(
            Required(v.Name, "name"),
            FromHex(Required(v.FramedHex, "framed_hex")),
            v.Expect ?? string.Empty)).ToArray();

        var sequences = (file.Sequences ?? []).Select(s =>
        {
            var steps = Required(s.Steps, "steps");
            var frames = steps
                .SelectMany(step => QuotedFrame().Matches(step))
                .Select(match => FromHex(match.Value))
                .ToArray();
            return new SequenceVector(Required(s.Name, "name"), steps, s.Note ?? string.Empty, frames);
        }).ToArray();

        var seqpacket = (file.SeqpacketInvalid ?? []).Select(v => new SeqpacketInvalidVector(
            Required(v.Name, "name"),
            FromHex(Required(v.DatagramHex, "datagram_hex")),
            v.Expect ?? string.Empty)).ToArray();

        return new VectorSet(valid, invalid, sequences, seqpacket);
    }

    private static T Required<T>(T? value, string field)
        where T : class =>
        value ?? throw new InvalidDataException($"The vector file lacks the field '{field}'.");

    /// <summary>A hex string long enough to be a frame (at least the 16 bytes of a prefix and a header).</summary>
    [GeneratedRegex(@"\b(?:[0-9a-fA-F]{2}){16,}\b")]
    private static partial Regex QuotedFrame();

    private sealed record VectorSet(
        ValidVector[] Valid,
        InvalidVector[] Invalid,
        SequenceVector[] Sequences,
        SeqpacketInvalidVector[] SeqpacketInvalid);

    private sealed class FileDto
    {
        [JsonPropertyName("valid")]
        public List<ValidDto>? Valid { get; set; }

        [JsonPropertyName("invalid")]
        public List<InvalidDto>? Invalid { get; set; }

        [JsonPropertyName("sequences")]
        public List<SequenceDto>? Sequences { get; set; }

        [JsonPropertyName("seqpacket_invalid")]
        public List<SeqpacketDto>? SeqpacketInvalid { get; set; }
    }

    private sealed class ValidDto
    {
        [JsonPropertyName("name")]
        public string? Name { get; set; }

        [JsonPropertyName("endian")]
        public string? Endian { get; set; }

        [JsonPropertyName("type")]
        public uint Type { get; set; }

        [JsonPropertyName("request_id")]
        public uint RequestId { get; set; }

        [JsonPropertyName("service_id")]
        public int ServiceId { get; set; }

        [JsonPropertyName("body_hex")]
        public string? BodyHex { get; set; }

        [JsonPropertyName("framed_hex")]
        public string? FramedHex { get; set; }

        [JsonPropertyName("datagram_hex")]
        public string? DatagramHex { get; set; }

        [JsonPropertyName("note")]
        public string? Note { get; set; }
    }

    private sealed class InvalidDto
    {
        [JsonPropertyName("name")]
        public string? Name { get; set; }

        [JsonPropertyName("framed_hex")]
        public string? FramedHex { get; set; }

        [JsonPropertyName("expect")]
        public string? Expect { get; set; }
    }

    private sealed class SequenceDto
    {
        [JsonPropertyName("name")]
        public string? Name { get; set; }

        [JsonPropertyName("steps")]
        public List<string>? Steps { get; set; }

        [JsonPropertyName("note")]
        public string? Note { get; set; }
    }

    private sealed class SeqpacketDto
    {
        [JsonPropertyName("name")]
        public string? Name { get; set; }

        [JsonPropertyName("datagram_hex")]
        public string? DatagramHex { get; set; }

        [JsonPropertyName("expect")]
        public string? Expect { get; set; }
    }
}
