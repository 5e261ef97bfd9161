namespace FizyrRpc.Tests.Formats;

/// <summary>A body and the type to decode it into, for test case sources (a generic decode behind a non-generic call).</summary>
public sealed class DecodeCase
{
    private readonly Func<IRpcFormat, ReadOnlyMemory<byte>, object?> _decode;

    private DecodeCase(string name, byte[] body, Type type, Func<IRpcFormat, ReadOnlyMemory<byte>, object?> decode)
    {
        Name = name;
        Body = body;
        Type = type;
        _decode = decode;
    }

    public string Name { get; }

    public byte[] Body { get; }

    public Type Type { get; }

    public static TestCaseData Of<T>(string name, byte[] body) =>
        new TestCaseData(new DecodeCase(name, body, typeof(T), static (format, bytes) => format.Decode<T>(bytes))).SetArgDisplayNames(name);

    public static TestCaseData Of<T>(string name, string utf8) => Of<T>(name, System.Text.Encoding.UTF8.GetBytes(utf8));

    public object? Decode(IRpcFormat format) => _decode(format, Body);

    /// <summary>Asserts that decoding fails with <see cref="RpcFormatException"/> naming the target type.</summary>
    public RpcFormatException AssertRefused(IRpcFormat format)
    {
        var error = Assert.Throws<RpcFormatException>(() => Decode(format))!;
        Assert.That(error.BodyType, Is.EqualTo(Type), error.ToString());
        return error;
    }

    public override string ToString() => Name;
}
