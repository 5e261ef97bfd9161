using System.Text;

namespace FizyrRpc.Samples.Conformance;

/// <summary>A conformance case found the server's reply wrong; the message says what was got and what was wanted.</summary>
public sealed class ConformanceFailure : Exception
{
    /// <summary>Creates a failure with its explanation.</summary>
    public ConformanceFailure(string message)
        : base(message)
    {
    }
}

/// <summary>
/// The client's checks: every header field and every body byte, with a message that says where they differ. They only
/// look: disposing the checked bodies stays the caller's.
/// </summary>
internal static class Expect
{
    // Bodies up to this size are quoted in failure messages when they are printable text.
    private const int MaxQuotedLength = 64;

    /// <summary>Checks the whole message: type, request ID, service ID and body.</summary>
    public static void Message<TBody>(Message<TBody> actual, MessageHeader header, ReadOnlySpan<byte> body, string what)
        where TBody : IMessageBody<TBody>
    {
        Header(actual.Header, header, what);
        Body(actual.Body.Data.Span, body, what);
    }

    /// <summary>Checks the whole message, the body given as UTF-8 text.</summary>
    public static void Message<TBody>(Message<TBody> actual, MessageHeader header, string body, string what)
        where TBody : IMessageBody<TBody> =>
        Message(actual, header, Encoding.UTF8.GetBytes(body), what);

    /// <summary>Checks the three header fields.</summary>
    public static void Header(MessageHeader actual, MessageHeader expected, string what)
    {
        if (actual != expected)
            throw new ConformanceFailure($"{what}: got {actual}, want {expected}");
    }

    /// <summary>Checks an error response to <paramref name="requestId"/> whose text passes <paramref name="textIsRight"/>.</summary>
    public static void ErrorResponse<TBody>(Message<TBody> actual, uint requestId, Func<string, bool> textIsRight, string wanted, string what)
        where TBody : IMessageBody<TBody>
    {
        Header(actual.Header, MessageHeader.ErrorResponse(requestId), what);
        var text = actual.GetErrorMessage();
        if (!textIsRight(text))
            throw new ConformanceFailure($"{what}: got error text \"{text}\", want {wanted}");
    }

    /// <summary>Checks every byte; reports a length difference or the first differing byte.</summary>
    public static void Body(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string what)
    {
        if (actual.Length != expected.Length)
            throw new ConformanceFailure($"{what}: got a body of {Describe(actual)}, want {Describe(expected)}");
        var same = actual.CommonPrefixLength(expected);
        if (same != actual.Length)
            throw new ConformanceFailure($"{what}: body byte {same} is 0x{actual[same]:x2}, want 0x{expected[same]:x2} (body of {actual.Length} bytes)");
    }

    /// <summary>A short description of a body for failure messages: quoted when it is short printable text.</summary>
    public static string Describe(ReadOnlySpan<byte> body)
    {
        if (body.Length <= MaxQuotedLength && !body.ContainsAnyExceptInRange((byte)0x20, (byte)0x7e))
            return $"{body.Length} bytes \"{Encoding.ASCII.GetString(body)}\"";
        return $"{body.Length} bytes";
    }
}
