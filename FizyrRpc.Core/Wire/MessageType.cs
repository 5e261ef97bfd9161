namespace FizyrRpc;

/// <summary>The type of a message: the first field of the header.</summary>
public enum MessageType : uint
{
    /// <summary>Opens a conversation identified by its request ID.</summary>
    Request = 0,

    /// <summary>Closes a conversation. Service ID -1 marks an error response.</summary>
    Response = 1,

    /// <summary>An update sent by the side that sent the request.</summary>
    RequesterUpdate = 2,

    /// <summary>An update sent by the side that received the request.</summary>
    ResponderUpdate = 3,

    /// <summary>A standalone message with no conversation (the protocol documentation calls it "notify").</summary>
    Stream = 4,
}
