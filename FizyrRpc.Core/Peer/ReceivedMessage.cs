using System.Diagnostics.CodeAnalysis;

namespace FizyrRpc;

/// <summary>What the read handle receives: either a request (with its handle) or a stream message.</summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public readonly struct ReceivedMessage<TBody>
    where TBody : IMessageBody<TBody>
{
    internal ReceivedMessage(ReceivedRequest<TBody> request)
    {
        Request = request;
        Message = request.Message;
    }

    internal ReceivedMessage(Message<TBody> stream)
    {
        Request = null;
        Message = stream;
    }

    /// <summary>The handle of the request, or null for a stream message.</summary>
    public ReceivedRequest<TBody>? Request { get; }

    /// <summary>The message as it came: the request message, or the stream message.</summary>
    public Message<TBody> Message { get; }

    /// <summary>The header of the message.</summary>
    public MessageHeader Header => Message.Header;

    /// <summary>Whether this is a request.</summary>
    [MemberNotNullWhen(true, nameof(Request))]
    public bool IsRequest => Request is not null;

    /// <summary>Whether this is a stream message.</summary>
    [MemberNotNullWhen(false, nameof(Request))]
    public bool IsStream => Request is null;

    /// <summary>Gets the request handle, if this is a request.</summary>
    public bool TryGetRequest([NotNullWhen(true)] out ReceivedRequest<TBody>? request)
    {
        request = Request;
        return request is not null;
    }

    /// <summary>Gets the stream message, if this is one.</summary>
    public bool TryGetStream(out Message<TBody> stream)
    {
        stream = Message;
        return Request is null;
    }

    /// <inheritdoc/>
    public override string ToString() => Message.ToString();
}
