using System.Text;

namespace FizyrRpc;

/// <summary>A whole message: a header and a body.</summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public readonly struct Message<TBody>
    where TBody : IMessageBody<TBody>
{
    /// <summary>Creates a message.</summary>
    public Message(MessageHeader header, TBody body)
    {
        Header = header;
        Body = body;
    }

    /// <summary>The header: type, request ID and service ID.</summary>
    public MessageHeader Header { get; }

    /// <summary>The body.</summary>
    public TBody Body { get; }

    /// <summary>The service ID of the header.</summary>
    public int ServiceId => Header.ServiceId;

    /// <summary>Whether this is an error response (a response with service ID -1).</summary>
    public bool IsErrorResponse => Header.IsErrorResponse;

    /// <summary>The error text of an error response: its body as UTF-8.</summary>
    /// <exception cref="InvalidOperationException">The message is not an error response.</exception>
    public string GetErrorMessage() => IsErrorResponse
        ? Encoding.UTF8.GetString(Body.Data.Span)
        : throw new InvalidOperationException($"The message is not an error response: {Header}.");

    /// <summary>Throws <see cref="RemoteErrorException"/> with the error text if this is an error response.</summary>
    /// <returns>This message, when it is not an error response.</returns>
    /// <exception cref="RemoteErrorException">The message is an error response.</exception>
    public Message<TBody> ThrowIfError()
    {
        if (IsErrorResponse)
            throw new RemoteErrorException(GetErrorMessage(), Header.RequestId);
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Header}: {Body.Data.Length} bytes";
}
