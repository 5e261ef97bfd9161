namespace FizyrRpc;

/// <summary>The kinds of protocol violation a peer can commit.</summary>
public enum ProtocolError
{
    /// <summary>A frame's length field is below the 12 bytes of a header (fatal on byte streams).</summary>
    MessageTooShort,

    /// <summary>A message's body is larger than the configured read limit (fatal on byte streams).</summary>
    PayloadTooLarge,

    /// <summary>The message type is not 0 to 4 (fatal: the connection closes, as the reference does).</summary>
    InvalidMessageType,

    /// <summary>A request arrived with the ID of a request we received that is still open (the message is dropped).</summary>
    DuplicateRequestId,

    /// <summary>An update or response arrived for a request ID that is not open (the message is dropped).</summary>
    UnknownRequestId,

    /// <summary>A seqpacket datagram shorter than a header (the datagram is dropped).</summary>
    DatagramTooShort,

    /// <summary>The kernel truncated a datagram or its file descriptors (the message is dropped).</summary>
    Truncated,

    /// <summary>A message carried more file descriptors than the configured maximum (the message is dropped).</summary>
    TooManyFileDescriptors,
}
