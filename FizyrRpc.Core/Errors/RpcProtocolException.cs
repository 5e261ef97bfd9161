namespace FizyrRpc;

/// <summary>
/// The remote broke the protocol. <see cref="IsFatal"/> tells whether the connection had to close (a byte stream that
/// can no longer be framed) or only the one message was dropped and the connection goes on.
/// </summary>
public sealed class RpcProtocolException : RpcException
{
    /// <summary>Creates a protocol exception.</summary>
    public RpcProtocolException(ProtocolError error, bool isFatal, string message, uint? requestId = null)
        : base(message)
    {
        Error = error;
        IsFatal = isFatal;
        RequestId = requestId;
    }

    /// <summary>What the remote did wrong.</summary>
    public ProtocolError Error { get; }

    /// <summary>Whether the connection was closed because of it.</summary>
    public bool IsFatal { get; }

    /// <summary>The request ID of the offending message, when it has one.</summary>
    public uint? RequestId { get; }

    internal static RpcProtocolException MessageTooShort(uint length) =>
        new(ProtocolError.MessageTooShort, true, $"Message too short: length field {length} is below the {MessageHeader.Size}-byte header.");

    internal static RpcProtocolException PayloadTooLarge(long bodyLength, long limit, bool isFatal = true) =>
        new(ProtocolError.PayloadTooLarge, isFatal, $"Payload too large: {bodyLength} bytes, the read limit is {limit}.");

    /// <summary>Creates a non-fatal error for one dropped datagram.</summary>
    public static RpcProtocolException DroppedDatagram(ProtocolError error, string message) => new(error, false, message);

    internal static RpcProtocolException InvalidMessageType(uint type) =>
        new(ProtocolError.InvalidMessageType, true, $"Invalid message type {type}.");

    internal static RpcProtocolException DuplicateRequestId(uint requestId) =>
        new(ProtocolError.DuplicateRequestId, false, $"Duplicate request ID {requestId}: a request with this ID is still open.", requestId);

    internal static RpcProtocolException UnknownRequestId(MessageHeader header) =>
        new(ProtocolError.UnknownRequestId, false, $"Unknown request ID {header.RequestId} for a {header.MessageType} message (service {header.ServiceId}).", header.RequestId);
}
