namespace FizyrRpc;

/// <summary>Creates peers on top of a transport.</summary>
public static class Peer
{
    /// <summary>
    /// Creates a peer and its handle without running it, for users who own the loop: run
    /// <see cref="Peer{TBody}.RunAsync"/> yourself. Messages sent before it runs wait in the bounded outgoing queue.
    /// </summary>
    public static (Peer<TBody> Peer, PeerHandle<TBody> Handle) Create<TBody>(IPeerTransport<TBody> transport, PeerOptions? options = null)
        where TBody : IMessageBody<TBody>
    {
        var connection = new PeerConnection<TBody>(transport, options ?? PeerOptions.Default);
        return (new Peer<TBody>(connection), new PeerHandle<TBody>(connection));
    }

    /// <summary>
    /// Creates a peer, starts running it in the background and returns its handle. The connection's own errors are on
    /// the handle (<see cref="PeerHandle{TBody}.CloseError"/>); a failure of the transport's release after the
    /// connection ended is observed and dropped here: to see it, run the peer yourself (<see cref="Create"/>).
    /// </summary>
    public static PeerHandle<TBody> Start<TBody>(IPeerTransport<TBody> transport, PeerOptions? options = null)
        where TBody : IMessageBody<TBody>
    {
        var (peer, handle) = Create(transport, options);
        var run = peer.RunAsync();
        if (!run.IsCompletedSuccessfully)
        {
            run.ContinueWith(
                static run => _ = run.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return handle;
    }
}

/// <summary>The engine of one connection: one read loop and one write loop.</summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public sealed class Peer<TBody>
    where TBody : IMessageBody<TBody>
{
    private readonly PeerConnection<TBody> _connection;

    internal Peer(PeerConnection<TBody> connection) => _connection = connection;

    /// <summary>
    /// Runs the connection until it ends: reads and routes every incoming message, writes every queued one, then
    /// releases the transport. Never throws for the connection's own errors: see <see cref="PeerHandle{TBody}.CloseError"/>.
    /// Throws what the transport's release threw, if it failed.
    /// </summary>
    /// <param name="cancellationToken">Closes the connection gracefully when cancelled.</param>
    /// <exception cref="InvalidOperationException">The peer is already running.</exception>
    public Task RunAsync(CancellationToken cancellationToken = default) => _connection.RunAsync(cancellationToken);
}
