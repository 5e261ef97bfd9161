using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// A request the remote sent us: read its requester updates, send responder updates, and answer it once with a
/// response or an error response, which frees its ID. Disposing it unanswered sends an error response, so the remote
/// never waits forever. The handle does not keep the connection alive.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public sealed class ReceivedRequest<TBody> : IAsyncDisposable, IDisposable
    where TBody : IMessageBody<TBody>
{
    /// <summary>The error text sent for a request whose handle was disposed without an answer.</summary>
    public const string DroppedErrorText = "request dropped without a response";

    private readonly PeerConnection<TBody> _connection;
    private UpdateQueue<TBody>? _queue; // made on first use: most requests never see a requester update
    private int _queueEnd; // how the queue ended before it existed: 0 not yet, else an EndKind
    private ConnectionClosedException? _queueEndError;
    private int _answered;
    private int _disposed;

    internal ReceivedRequest(PeerConnection<TBody> connection, Message<TBody> request)
    {
        _connection = connection;
        Message = request;
    }

    private enum EndKind
    {
        Completed = 1,
        Failed = 2,
        Abandoned = 3,
    }

    /// <summary>The update queue, made now if need be; an end that came before it is applied to it.</summary>
    private UpdateQueue<TBody> Queue
    {
        get
        {
            var queue = Volatile.Read(ref _queue);
            if (queue is not null)
                return queue;
            queue = new UpdateQueue<TBody>(_connection);
            var existing = Interlocked.CompareExchange(ref _queue, queue, null);
            if (existing is not null)
                return existing;

            // An end recorded before the exchange either saw no queue (then it is applied here) or saw this one (then
            // it applied itself); applying it twice is harmless. Both sides use full fences, so one of them sees the other.
            ApplyEnd(queue, (EndKind)Volatile.Read(ref _queueEnd));
            return queue;
        }
    }

    private void End(EndKind kind, ConnectionClosedException? error = null)
    {
        if (error is not null)
            Interlocked.CompareExchange(ref _queueEndError, error, null);
        Interlocked.CompareExchange(ref _queueEnd, (int)kind, 0);
        if (Volatile.Read(ref _queue) is { } queue)
            ApplyEnd(queue, kind);
    }

    private void ApplyEnd(UpdateQueue<TBody> queue, EndKind kind)
    {
        switch (kind)
        {
            case EndKind.Completed:
                queue.Complete();
                break;
            case EndKind.Failed:
                queue.Complete(Volatile.Read(ref _queueEndError));
                break;
            case EndKind.Abandoned:
                queue.Abandon();
                break;
        }
    }

    /// <summary>The request message as it came.</summary>
    public Message<TBody> Message { get; }

    /// <summary>The body of the request.</summary>
    public TBody Body => Message.Body;

    /// <summary>The ID the remote chose for the request.</summary>
    public uint RequestId => Message.Header.RequestId;

    /// <summary>The service the remote asked for.</summary>
    public int ServiceId => Message.Header.ServiceId;

    /// <summary>Whether the request has been answered (or the connection ended): nothing more can be sent for it.</summary>
    public bool IsClosed => Volatile.Read(ref _answered) != 0 || _connection.CloseError is not null;

    /// <summary>Cancelled when the connection starts closing: hand it to work done for this request.</summary>
    public CancellationToken ConnectionClosed => _connection.ClosedToken;

    internal ValueTask DeliverAsync(Message<TBody> message, CancellationToken cancellationToken) =>
        Queue.DeliverAsync(message, cancellationToken);

    internal void Fail(ConnectionClosedException error) => End(EndKind.Failed, error);

    /// <summary>Answers with an error at once, for a request that never reached the user.</summary>
    internal void Reject(string errorText)
    {
        if (TryClose())
            _connection.SendDetached(PeerConnection<TBody>.ErrorResponse(RequestId, errorText));
        End(EndKind.Abandoned);
        Message.Body.Dispose();
    }

    /// <summary>Receives the next requester update; null once the request is answered.</summary>
    /// <exception cref="ConnectionClosedException">The connection ended.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Message<TBody>?> ReceiveUpdateAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var queue = Queue;
        while (true)
        {
            if (queue.TryRead(out var message))
                return message;
            if (!await queue.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                ThrowIfDisposed();
                return null;
            }
        }
    }

    /// <summary>Reads the requester updates until the request is answered.</summary>
    public async IAsyncEnumerable<Message<TBody>> ReadUpdatesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReceiveUpdateAsync(cancellationToken).ConfigureAwait(false) is { } update)
            yield return update;
    }

    /// <summary>Sends a responder update. The body belongs to the peer from here on.</summary>
    /// <exception cref="RequestClosedException">The request was already answered; nothing was written.</exception>
    /// <exception cref="MessageTooLargeException">The body exceeds the write limit; nothing was written.</exception>
    /// <exception cref="ConnectionClosedException">The connection ended.</exception>
    public ValueTask SendUpdateAsync(int serviceId, TBody body, CancellationToken cancellationToken = default)
    {
        BodyOwnership.ThrowIfDisposed(Volatile.Read(ref _disposed) != 0, body, this);
        return SendUpdateCoreAsync(serviceId, body, cancellationToken);
    }

    /// <summary>Answers the request, which closes it and frees its ID. The body belongs to the peer from here on.</summary>
    /// <exception cref="RequestClosedException">The request was already answered; nothing was written.</exception>
    /// <exception cref="MessageTooLargeException">The body exceeds the write limit; nothing was written and the request stays open.</exception>
    /// <exception cref="ConnectionClosedException">The connection ended.</exception>
    public ValueTask SendResponseAsync(int serviceId, TBody body, CancellationToken cancellationToken = default)
    {
        BodyOwnership.ThrowIfDisposed(Volatile.Read(ref _disposed) != 0, body, this);
        return SendResponseCoreAsync(new Message<TBody>(MessageHeader.Response(RequestId, serviceId), body), cancellationToken);
    }

    /// <summary>Answers the request with an error response: service ID -1 and the UTF-8 text.</summary>
    /// <inheritdoc cref="SendResponseAsync" path="/exception"/>
    public ValueTask SendErrorResponseAsync(string errorMessage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(errorMessage);
        ThrowIfDisposed();
        return SendResponseCoreAsync(PeerConnection<TBody>.ErrorResponse(RequestId, errorMessage), cancellationToken);
    }

    internal ValueTask SendUpdateCoreAsync(int serviceId, TBody body, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _answered) != 0)
        {
            body.Dispose();
            throw new RequestClosedException(RequestId);
        }

        return _connection.SendAsync(new Message<TBody>(MessageHeader.ResponderUpdate(RequestId, serviceId), body), cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask SendResponseCoreAsync(Message<TBody> response, CancellationToken cancellationToken)
    {
        _connection.Validate(response); // a refused response leaves the request open
        if (Interlocked.CompareExchange(ref _answered, 1, 0) != 0)
        {
            response.Body.Dispose();
            throw new RequestClosedException(RequestId);
        }

        // Free the ID before the response can reach the remote, which may reuse it at once.
        _connection.Tracker.Unregister(this);
        try
        {
            await _connection.SendValidatedAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_connection.CloseError is null)
        {
            // Nothing was queued, so the remote saw no answer and cannot have reused the ID: the request is open again.
            _connection.Tracker.Restore(this);
            Interlocked.Exchange(ref _answered, 0); // a full fence: Dispose either sees it open, or is seen below

            // Disposed while the response waited: Dispose found it answered and sent nothing, so it is answered here.
            if (Volatile.Read(ref _disposed) != 0 && TryClose() && _connection.CloseError is null)
                _connection.SendDetached(PeerConnection<TBody>.ErrorResponse(RequestId, DroppedErrorText));
            throw;
        }

        End(EndKind.Completed);
    }

    private bool TryClose()
    {
        if (Interlocked.CompareExchange(ref _answered, 1, 0) != 0)
            return false;
        _connection.Tracker.Unregister(this);
        End(EndKind.Completed);
        return true;
    }

    /// <summary>A handle another task can use to send updates and the answer for this request.</summary>
    public ReceivedRequestWriteHandle<TBody> CreateWriteHandle() => new(this);

    /// <summary>Sends an error response if the request is still unanswered, and drops its unread updates.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (TryClose() && _connection.CloseError is null)
            _connection.SendDetached(PeerConnection<TBody>.ErrorResponse(RequestId, DroppedErrorText));
        End(EndKind.Abandoned);
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <inheritdoc/>
    public override string ToString() => $"received request {RequestId} (service {ServiceId})";
}

/// <summary>Sends updates and the answer for a <see cref="ReceivedRequest{TBody}"/> from another task.</summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public sealed class ReceivedRequestWriteHandle<TBody>
    where TBody : IMessageBody<TBody>
{
    private readonly ReceivedRequest<TBody> _request;

    internal ReceivedRequestWriteHandle(ReceivedRequest<TBody> request) => _request = request;

    /// <summary>The ID of the request.</summary>
    public uint RequestId => _request.RequestId;

    /// <inheritdoc cref="ReceivedRequest{TBody}.SendUpdateAsync"/>
    public ValueTask SendUpdateAsync(int serviceId, TBody body, CancellationToken cancellationToken = default) =>
        _request.SendUpdateCoreAsync(serviceId, body, cancellationToken);

    /// <inheritdoc cref="ReceivedRequest{TBody}.SendResponseAsync"/>
    public ValueTask SendResponseAsync(int serviceId, TBody body, CancellationToken cancellationToken = default) =>
        _request.SendResponseCoreAsync(new Message<TBody>(MessageHeader.Response(_request.RequestId, serviceId), body), cancellationToken);

    /// <inheritdoc cref="ReceivedRequest{TBody}.SendErrorResponseAsync"/>
    public ValueTask SendErrorResponseAsync(string errorMessage, CancellationToken cancellationToken = default) =>
        _request.SendResponseCoreAsync(PeerConnection<TBody>.ErrorResponse(_request.RequestId, errorMessage), cancellationToken);
}
