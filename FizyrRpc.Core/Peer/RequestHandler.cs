namespace FizyrRpc;

/// <summary>
/// Handles one request the remote sent, called by the connection itself as the request arrives (see
/// <see cref="PeerReadHandle{TBody}.SetRequestHandler"/>). The request belongs to the handler: answer it (or dispose it,
/// which answers with an error). The returned task is the handling: the request holds one of the connection's handler
/// slots (<see cref="RequestHandlerOptions.MaxConcurrentHandlers"/>) until it completes.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
/// <param name="request">The request, with its ID, service ID and body.</param>
/// <returns>Completes when the handling is done.</returns>
public delegate ValueTask RequestHandler<TBody>(ReceivedRequest<TBody> request)
    where TBody : IMessageBody<TBody>;

/// <summary>How a connection runs the handler set with <see cref="PeerReadHandle{TBody}.SetRequestHandler"/>.</summary>
public sealed class RequestHandlerOptions
{
    /// <summary>A new instance with the defaults.</summary>
    public static RequestHandlerOptions Default => new();

    /// <summary>
    /// The most handlers that may run at once on one connection (default 256). When that many have not completed, the
    /// connection stops reading the socket until one completes: a remote that sends faster than the handlers finish is
    /// slowed down instead of growing the server's memory.
    /// </summary>
    public int MaxConcurrentHandlers { get; init; } = 256;

    /// <summary>
    /// Whether a handler starts on the connection's read loop (default true), as Kestrel's
    /// <c>UnsafePreferInlineScheduling</c>: no thread hand-off per request, and the responses of every request read
    /// in one batch go out in one send. A handler then runs on the loop until its first await that does not complete
    /// at once; from there on it runs on the thread pool, and the loop reads on. While a handler runs on the loop, the
    /// connection reads nothing: do not block (<c>Thread.Sleep</c>, <c>.Result</c>, long computations) before the
    /// first await, or set this to false, which starts every handler on the thread pool.
    /// </summary>
    public bool PreferInlineHandlers { get; init; } = true;

    internal void Validate()
    {
        if (MaxConcurrentHandlers <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentHandlers), MaxConcurrentHandlers, "Must be positive.");
    }
}

/// <summary>
/// The handler a connection calls for its requests (returned by <see cref="PeerReadHandle{TBody}.SetRequestHandler"/>):
/// how many run, and when the last one has finished.
/// </summary>
public sealed class RequestHandlerRegistration
{
    private readonly IRequestDispatch _dispatch;

    internal RequestHandlerRegistration(IRequestDispatch dispatch) => _dispatch = dispatch;

    /// <summary>The handlers that have started and not completed.</summary>
    public int RunningHandlers => _dispatch.Running;

    /// <summary>
    /// Completes once no further request can reach the handler (the read handle was released or the connection
    /// closed) and every handler has completed.
    /// </summary>
    /// <exception cref="Exception">The first exception a handler threw (its request was answered with an error).</exception>
    public Task WhenHandlersDoneAsync() => _dispatch.WhenDoneAsync();

    /// <summary>Hands a request that came some other way (through the read handle) to the same handler and bound.</summary>
    internal ValueTask DispatchAsync<TBody>(ReceivedRequest<TBody> request, CancellationToken cancellationToken)
        where TBody : IMessageBody<TBody> =>
        ((RequestDispatcher<TBody>)_dispatch).DispatchAsync(request, cancellationToken);
}

/// <summary>What <see cref="RequestHandlerRegistration"/> sees of a connection's dispatch, whatever its body type.</summary>
internal interface IRequestDispatch
{
    int Running { get; }

    Task WhenDoneAsync();
}
