namespace FizyrRpc;

/// <summary>
/// Moves whole messages over one connection. A transport differs from another only in how it moves one message
/// (a framed byte stream, a datagram with file descriptors); the peer above it is shared by all of them.
/// The peer calls <see cref="ReadMessageAsync"/> from one task and <see cref="WriteAsync"/> from another, never
/// each of them concurrently with itself.
/// </summary>
/// <typeparam name="TBody">The body type the transport carries.</typeparam>
public interface IPeerTransport<TBody> : IAsyncDisposable
    where TBody : IMessageBody<TBody>
{
    /// <summary>What is known about the connection (remote endpoint, peer credentials), if anything.</summary>
    ConnectionInfo? ConnectionInfo => null;

    /// <summary>
    /// The transport's name in metrics and traces (the <c>fizyr_rpc.transport</c> tag): <c>tcp</c>, <c>unix_stream</c>,
    /// <c>unix_seqpacket</c>, or <c>other</c> (the default).
    /// </summary>
    string TransportName => "other";

    /// <summary>Reads the next whole message.</summary>
    /// <returns>The message, or null at a clean end of stream.</returns>
    /// <exception cref="RpcProtocolException">
    /// The remote broke the protocol. When <see cref="RpcProtocolException.IsFatal"/> is false only that message was
    /// dropped and the next call reads on; otherwise the connection cannot be used any more.
    /// </exception>
    ValueTask<Message<TBody>?> ReadMessageAsync(CancellationToken cancellationToken);

    /// <summary>Checks an outgoing message against the write limits, before anything of it is queued or written.</summary>
    /// <exception cref="MessageTooLargeException">The message exceeds a write limit.</exception>
    void ValidateOutgoing(in Message<TBody> message);

    /// <summary>
    /// Writes a batch of messages, in order, in as few system calls as the transport can. The write ends only when it
    /// has completed or failed, never while the socket may still read the messages' buffers: the peer releases the
    /// bodies as soon as it returns. To stop a pending write, the peer calls <see cref="Abort"/>.
    /// </summary>
    /// <param name="messages">The batch.</param>
    /// <param name="cancellationToken">Checked before the write starts; a write under way is stopped by <see cref="Abort"/>.</param>
    ValueTask WriteAsync(IReadOnlyList<Message<TBody>> messages, CancellationToken cancellationToken);

    /// <summary>
    /// Closes the socket at once, from any thread, without releasing any buffer: a pending read or write then fails,
    /// and what it used is released by the code that awaited it. <see cref="IAsyncDisposable.DisposeAsync"/> still
    /// follows, and must tolerate the closed socket.
    /// </summary>
    void Abort();
}
