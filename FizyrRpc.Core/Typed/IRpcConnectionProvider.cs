namespace FizyrRpc;

/// <summary>
/// Gives a client the connection of each call: the seam a reconnecting connection plugs into. A client built on a
/// provider asks it for a write handle per call (and per stream message it sends) and keeps none.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public interface IRpcConnectionProvider<TBody>
    where TBody : IMessageBody<TBody>
{
    /// <summary>
    /// The write handle of the current connection; connects, or waits for a reconnect, when there is none. The handle
    /// stays the provider's: the caller neither keeps nor disposes it.
    /// </summary>
    /// <exception cref="ConnectionClosedException">No connection could be had (the provider decides how long to wait).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<PeerWriteHandle<TBody>> GetWriteHandleAsync(CancellationToken cancellationToken);
}
