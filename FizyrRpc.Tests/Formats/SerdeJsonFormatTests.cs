using System.Text;
using System.Text.Json;
using FizyrRpc.Tests.Interop;

namespace FizyrRpc.Tests.Formats;

/// <summary>The serde preset's rules, each in the reflection form and over a source-generated context, and the contexts it refuses.</summary>
public class SerdeJsonFormatTests
{
    public static IEnumerable<TestCaseData> Forms()
    {
        yield return new TestCaseData(JsonFormat.ForSerde()).SetArgDisplayNames("reflection");
        yield return new TestCaseData(JsonFormat.ForSerde(SerdeCameraJsonContext.Default)).SetArgDisplayNames("context");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> body) => Encoding.UTF8.GetString(body.Span);

    [TestCaseSource(nameof(Forms))]
    public void NamesAreSnakeCaseBytesAreNumbersAndNoneIsNull(JsonFormat format)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Text(format.Encode(new SerdeFrame(2, 1, [0, 255]))), Is.EqualTo("""{"width":2,"height":1,"pixels":[0,255]}"""));
            Assert.That(Text(format.Encode(new CaptureSummary(3, null))), Is.EqualTo("""{"frames":3,"note":null}"""));
            Assert.That(Text(format.NoBody), Is.EqualTo("null"));
        }
    }

    [TestCaseSource(nameof(Forms))]
    public void MissingOrNullMembersThatAreNotNullableAreRefused(JsonFormat format)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Assert.Throws<RpcFormatException>(() => format.Decode<CaptureRequest>(Utf8("""{"count":1}""")))!.Message, Does.Contain("'tag'"));
            Assert.Throws<RpcFormatException>(() => format.Decode<CaptureRequest>(Utf8("""{"count":1,"tag":null}""")));
            Assert.Throws<RpcFormatException>(() => format.Decode<CaptureRequest>(Utf8("""{"tag":"a"}""")));
            Assert.Throws<RpcFormatException>(() => format.Decode<SerdeFrame>(Utf8("""{"width":1,"height":1,"pixels":null}""")));
            Assert.Throws<RpcFormatException>(() => format.Decode<SerdeFrame>(Utf8("""{"width":1,"height":1}""")));
            Assert.Throws<RpcFormatException>(() => format.Decode<CaptureRequest>(Utf8("null")));
        }
    }

    [TestCaseSource(nameof(Forms))]
    public void WhatSerdeAcceptsDecodes(JsonFormat format)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(format.Decode<CaptureSummary>(Utf8("""{"frames":1}""")), Is.EqualTo(new CaptureSummary(1, null)));
            Assert.That(format.Decode<CaptureSummary>(Utf8("""{"note":"n","frames":1,"more":true}""")), Is.EqualTo(new CaptureSummary(1, "n")));
            Assert.That(format.Decode<CaptureSummary?>(Utf8("null"), nullable: true), Is.Null);
            Assert.That(format.Decode<SerdeFrame>(Utf8("""{"width":1,"height":1,"pixels":[7]}""")), Is.EqualTo(new SerdeFrame(1, 1, [7])));
        }
    }

    [Test]
    public void AContextWhoseOptionsContradictThePresetIsRefusedNamingEachContradiction()
    {
        var error = Assert.Throws<ArgumentException>(() => JsonFormat.ForSerde(ContradictingJsonContext.Default))!;
        Assert.That(error.ParamName, Is.EqualTo("context"));
        Assert.That(error.Message, Does.Contain("PropertyNamingPolicy"));
        Assert.That(error.Message, Does.Contain("DefaultIgnoreCondition is WhenWritingNull"));
        Assert.That(error.Message, Does.Contain("a converter writes byte[]"));
    }

    [Test]
    public void TheIssuesTwoLooseSetupsAreWhatThePresetReplaces()
    {
        // The context's own options write base64 and PascalCase; the preset over the same context writes serde's bytes.
        var frame = new SerdeFrame(1, 1, [9]);
        Assert.That(Text(new JsonFormat(new JsonSerializerOptions { TypeInfoResolver = SerdeCameraJsonContext.Default }).Encode(frame)), Is.EqualTo("""{"Width":1,"Height":1,"Pixels":"CQ=="}"""));
        Assert.That(Text(JsonFormat.ForSerde(SerdeCameraJsonContext.Default).Encode(frame)), Is.EqualTo("""{"width":1,"height":1,"pixels":[9]}"""));
    }

    [Test]
    public void TheParameterlessConstructorIsThePreset()
    {
        Assert.Throws<RpcFormatException>(() => new JsonFormat().Decode<CaptureRequest>(Utf8("{}")));
        Assert.That(Text(new JsonFormat().Encode(new SerdeFrame(1, 1, [1]))), Is.EqualTo("""{"width":1,"height":1,"pixels":[1]}"""));
    }
}
