namespace FizyrRpc;

/// <summary>
/// The lifetime of one connection: why it closed (the first reason wins), the count of handles that keep it alive,
/// the tokens that stop its loops, and its completion. It only decides and records; <see cref="PeerConnection{TBody}"/>
/// acts on a close (fails what waits, stops the loops).
/// </summary>
internal sealed class ConnectionLifetime
{
    private readonly TimeSpan _shutdownTimeout;
    private readonly CancellationTokenSource _closing = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closeDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionClosedException? _closed;
    private int _liveHandles = 1; // the read handle; write handles add themselves

    public ConnectionLifetime(TimeSpan shutdownTimeout) => _shutdownTimeout = shutdownTimeout;

    /// <summary>Cancelled as soon as the connection starts closing, for any reason (it also stops the read loop).</summary>
    public CancellationToken ClosingToken => _closing.Token;

    /// <summary>Cancelled when the connection is aborted: at once, or when a graceful close ran out of time.</summary>
    public CancellationToken AbortToken => _abort.Token;

    /// <summary>Why the connection ended, or null while it is open.</summary>
    public ConnectionClosedException? CloseError => Volatile.Read(ref _closed);

    /// <summary>
    /// A new exception telling why the connection ended, for one waiter: each waiter throws its own instance (a shared
    /// one would have its stack trace rewritten by every throw), all carrying the same reason and cause.
    /// </summary>
    public ConnectionClosedException NewCloseError() => CloseError?.Copy() ?? new ConnectionClosedException(CloseReason.ClosedLocally);

    /// <summary>Completes when the connection has ended and its transport is released.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Completes when the close that won has failed everything that waited.</summary>
    public Task CloseDone => _closeDone.Task;

    /// <summary>Records <paramref name="reason"/> if no close came first. Returns the error when this call won, null otherwise.</summary>
    public ConnectionClosedException? TryBeginClose(CloseReason reason, Exception? cause)
    {
        var error = new ConnectionClosedException(reason, cause);
        return Interlocked.CompareExchange(ref _closed, error, null) is null ? error : null;
    }

    /// <summary>
    /// The close that won has failed what waited: arms the abort (at once, or after the shutdown timeout for a graceful
    /// close), then cancels the closing token (users' callbacks run there), last.
    /// </summary>
    public void EndClose(bool graceful)
    {
        try
        {
            if (!graceful)
                _abort.Cancel();
            else if (_shutdownTimeout != Timeout.InfiniteTimeSpan)
                _abort.CancelAfter(_shutdownTimeout);
            _closing.Cancel();
        }
        finally
        {
            _closeDone.TrySetResult();
        }
    }

    /// <summary>The transport is released: the connection has ended.</summary>
    public void Complete() => _completion.TrySetResult(); // the token sources stay undisposed: users hold their tokens

    /// <summary>Counts one more handle that keeps the connection alive.</summary>
    /// <exception cref="ConnectionClosedException">The last handle is already gone.</exception>
    public void AddHandle()
    {
        while (true)
        {
            var count = Volatile.Read(ref _liveHandles);
            if (count == 0)
                throw NewCloseError();
            if (Interlocked.CompareExchange(ref _liveHandles, count + 1, count) == count)
                return;
        }
    }

    /// <summary>Releases one handle that kept the connection alive.</summary>
    /// <returns>True when this was the last handle: the connection must close.</returns>
    public bool ReleaseHandle() => Interlocked.Decrement(ref _liveHandles) == 0;
}
