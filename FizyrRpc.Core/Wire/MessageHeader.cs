namespace FizyrRpc;

/// <summary>The 12-byte header of every message: type, request ID and service ID.</summary>
/// <param name="MessageType">What kind of message this is.</param>
/// <param name="RequestId">The conversation the message belongs to; 0 for stream messages.</param>
/// <param name="ServiceId">The service of a request, the status of a response (-1 = error), the kind of an update or stream message.</param>
public readonly record struct MessageHeader(MessageType MessageType, uint RequestId, int ServiceId)
{
    /// <summary>The encoded size of a header in bytes.</summary>
    public const int Size = 12;

    /// <summary>The service ID of an error response, whose body is a UTF-8 error message.</summary>
    public const int ErrorServiceId = -1;

    /// <summary>Whether this is a response with service ID -1: an error response.</summary>
    public bool IsErrorResponse => MessageType == MessageType.Response && ServiceId == ErrorServiceId;

    /// <summary>Creates a request header.</summary>
    public static MessageHeader Request(uint requestId, int serviceId) => new(MessageType.Request, requestId, serviceId);

    /// <summary>Creates a response header; a negative service ID other than -1 is still a success for the protocol.</summary>
    public static MessageHeader Response(uint requestId, int serviceId) => new(MessageType.Response, requestId, serviceId);

    /// <summary>Creates an error response header (service ID -1).</summary>
    public static MessageHeader ErrorResponse(uint requestId) => new(MessageType.Response, requestId, ErrorServiceId);

    /// <summary>Creates a header for an update sent by the side that sent the request.</summary>
    public static MessageHeader RequesterUpdate(uint requestId, int serviceId) => new(MessageType.RequesterUpdate, requestId, serviceId);

    /// <summary>Creates a header for an update sent by the side that received the request.</summary>
    public static MessageHeader ResponderUpdate(uint requestId, int serviceId) => new(MessageType.ResponderUpdate, requestId, serviceId);

    /// <summary>Creates a stream message header (request ID 0).</summary>
    public static MessageHeader Stream(int serviceId) => new(MessageType.Stream, 0, serviceId);

    /// <summary>Whether <paramref name="value"/> is one of the five message types of the protocol.</summary>
    public static bool IsValidMessageType(uint value) => value <= (uint)MessageType.Stream;

    /// <summary>Writes the header into the first 12 bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 12 bytes.</exception>
    public void Encode(Span<byte> destination, Endian endian)
    {
        if (destination.Length < Size)
            throw new ArgumentException("The destination is shorter than a message header.", nameof(destination));
        var little = endian.IsLittle();
        EndianCodec.WriteUInt32(destination, (uint)MessageType, little);
        EndianCodec.WriteUInt32(destination[4..], RequestId, little);
        EndianCodec.WriteUInt32(destination[8..], unchecked((uint)ServiceId), little);
    }

    /// <summary>Reads a header from the first 12 bytes of <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is shorter than 12 bytes.</exception>
    /// <exception cref="RpcProtocolException">The message type is not one of the protocol's (<see cref="ProtocolError.InvalidMessageType"/>).</exception>
    public static MessageHeader Decode(ReadOnlySpan<byte> source, Endian endian)
    {
        if (source.Length < Size)
            throw new ArgumentException("The source is shorter than a message header.", nameof(source));
        var little = endian.IsLittle();
        var type = EndianCodec.ReadUInt32(source, little);
        if (!IsValidMessageType(type))
            throw RpcProtocolException.InvalidMessageType(type);
        return new MessageHeader(
            (MessageType)type,
            EndianCodec.ReadUInt32(source[4..], little),
            unchecked((int)EndianCodec.ReadUInt32(source[8..], little)));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{MessageType} (request {RequestId}, service {ServiceId})";
}
