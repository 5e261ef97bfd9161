namespace FizyrRpc;

/// <summary>
/// The body of a message as a transport carries it: bytes, and for some transports more (file descriptors).
/// Disposing a body releases what it owns beyond its bytes; the peer disposes every body it drops.
/// </summary>
/// <typeparam name="TSelf">The body type itself.</typeparam>
public interface IMessageBody<TSelf> : IDisposable
    where TSelf : IMessageBody<TSelf>
{
    /// <summary>The bytes of the body.</summary>
    ReadOnlyMemory<byte> Data { get; }

    /// <summary>Creates a body holding only <paramref name="data"/> (used for error responses the peer sends itself).</summary>
    static abstract TSelf FromBytes(ReadOnlyMemory<byte> data);
}
