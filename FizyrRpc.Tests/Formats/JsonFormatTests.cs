using System.Text;
using System.Text.Json;

namespace FizyrRpc.Tests.Formats;

/// <summary>JSON: the reference's serde_json wire facts (null for (), snake_case fields), source-generated options, malformed bodies.</summary>
public class JsonFormatTests
{
    private static readonly JsonFormat Json = new();

    private static string Text(ReadOnlyMemory<byte> body) => Encoding.UTF8.GetString(body.Span);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public void TheNameIsJson()
    {
        Assert.That(Json.Name, Is.EqualTo("json"));
    }

    [Test]
    public void FieldNamesAreSnakeCase()
    {
        Assert.That(Text(Json.Encode(new RecordState(42, true, null))), Is.EqualTo("""{"frame_count":42,"is_recording":true,"label":null}"""));
    }

    [Test]
    public void WhatASerdeJsonPeerSendsDecodes()
    {
        // serde_json's output for `struct RecordState { frame_count: i32, is_recording: bool, label: Option<String> }`,
        // pretty-printed and in another field order.
        const string serde = """
            {
              "label": "front",
              "is_recording": false,
              "frame_count": 7
            }
            """;
        Assert.That(Json.Decode<RecordState>(Utf8(serde)), Is.EqualTo(new RecordState(7, false, "front")));
    }

    [Test]
    public void FieldsTheTypeDoesNotHaveAreIgnoredAsSerdeDoes()
    {
        const string newer = """{"frame_count":1,"is_recording":true,"label":null,"exposure_us":250}""";
        Assert.That(Json.Decode<RecordState>(Utf8(newer)), Is.EqualTo(new RecordState(1, true, null)));
    }

    [Test]
    public void NestedFieldNamesAreSnakeCaseToo()
    {
        var settings = new Settings { Name = "n", Values = [1], Gain = null, Markers = new() { ["MixedKey"] = new Point(1, 2) } };
        // Dictionary keys are data, not field names: they stay as they are.
        Assert.That(Text(Json.Encode(settings)), Is.EqualTo("""{"name":"n","values":[1],"gain":null,"markers":{"MixedKey":{"x":1,"y":2}}}"""));
    }

    [Test]
    public void UnitIsTheFourBytesNull()
    {
        Assert.That(Json.NoBody.ToArray(), Is.EqualTo("null"u8.ToArray()));
        Assert.That(Text(Json.Encode<object?>(null)), Is.EqualTo("null"));
    }

    [Test]
    public void PrimitivesAreBareJsonValues()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Text(Json.Encode(5)), Is.EqualTo("5"));
            Assert.That(Text(Json.Encode("a\"b")), Is.EqualTo("\"a\\u0022b\"").Or.EqualTo("\"a\\\"b\""));
            Assert.That(Text(Json.Encode(new[] { 1, 2 })), Is.EqualTo("[1,2]"));
            Assert.That(Json.Decode<long>(Utf8("  9007199254740993 ")), Is.EqualTo(9007199254740993L));
        }
    }

    [Test]
    public void ASourceGeneratedContextWorksWithoutReflection()
    {
        var format = new JsonFormat(new JsonSerializerOptions
        {
            TypeInfoResolver = FormatsJsonContext.Default,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        });

        var body = format.Encode(new RecordState(3, true, "x"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Text(body), Is.EqualTo("""{"frame_count":3,"is_recording":true,"label":"x"}"""));
            Assert.That(format.Decode<RecordState>(body), Is.EqualTo(new RecordState(3, true, "x")));
            Assert.That(format.Decode<List<Point>>(Utf8("""[{"x":1,"y":2}]""")), Is.EqualTo(new List<Point> { new(1, 2) }));
            Assert.Throws<RpcFormatException>(() => format.Decode<int>(ReadOnlyMemory<byte>.Empty));
        }
    }

    [Test]
    public void ASourceGeneratedContextRefusesTypesItDoesNotKnow()
    {
        // No reflection fallback: a type the context does not list cannot be encoded or decoded.
        var format = new JsonFormat(new JsonSerializerOptions { TypeInfoResolver = FormatsJsonContext.Default });
        var encode = Assert.Throws<RpcFormatException>(() => format.Encode(new Settings()))!;
        var decode = Assert.Throws<RpcFormatException>(() => format.Decode<Settings>(Utf8("{}")))!;
        Assert.That((encode.BodyType, decode.BodyType), Is.EqualTo((typeof(Settings), typeof(Settings))));
    }

    [Test]
    public void TheContextsOwnOptionsWork()
    {
        var format = new JsonFormat(new JsonSerializerOptions(FormatsJsonContext.Default.Options));
        Assert.That(Text(format.Encode(new RecordState(1, false, null))), Is.EqualTo("""{"frame_count":1,"is_recording":false,"label":null}"""));
    }

    [Test]
    public void OptionsWithoutATypeInfoResolverAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new JsonFormat(new JsonSerializerOptions()))!;
        Assert.That(error.ParamName, Is.EqualTo("options"));
        Assert.Throws<ArgumentNullException>(() => _ = new JsonFormat(null!));
    }

    [Test]
    public void TheOptionsAreFrozen()
    {
        var options = new JsonSerializerOptions { TypeInfoResolver = FormatsJsonContext.Default };
        var format = new JsonFormat(options);
        Assert.That(format.Options.IsReadOnly, Is.True);
    }

    public static IEnumerable<TestCaseData> MalformedBodies()
    {
        yield return DecodeCase.Of<RecordState>("unclosed object", "{");
        yield return DecodeCase.Of<List<int>>("unclosed array", "[1,2");
        yield return DecodeCase.Of<int>("string as int", "\"five\"");
        yield return DecodeCase.Of<RecordState>("array as object", "[1]");
        yield return DecodeCase.Of<int>("trailing garbage", "5 6");
        yield return DecodeCase.Of<string>("invalid UTF-8", [(byte)'"', 0xff, 0xfe, (byte)'"']);
        yield return DecodeCase.Of<int>("overflow", "99999999999");
        yield return DecodeCase.Of<Point>("not JSON at all", [0x92, 0x01, 0x02]);
        yield return DecodeCase.Of<object>("10,000 nested arrays", new string('[', 10_000) + new string(']', 10_000));
    }

    [TestCaseSource(nameof(MalformedBodies))]
    public void AMalformedBodyGivesRpcFormatExceptionWithTheBodyType(DecodeCase body)
    {
        var error = body.AssertRefused(Json);
        Assert.That(error.InnerException, Is.InstanceOf<JsonException>());
    }

    [Test]
    public void AnUnencodableValueGivesRpcFormatExceptionWithTheBodyType()
    {
        var loop = new Node();
        loop.Next = loop;
        var error = Assert.Throws<RpcFormatException>(() => Json.Encode(loop))!;
        Assert.That(error.BodyType, Is.EqualTo(typeof(Node)));
    }
}
