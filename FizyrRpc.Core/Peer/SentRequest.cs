using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// A request we sent: read the remote's responder updates, send requester updates, and receive the response.
/// Read it from one task at a time; <see cref="CreateWriteHandle"/> gives another task a way to send updates.
/// The handle does not keep the connection alive. Disposing it before the response only stops delivery: the ID stays
/// reserved until the remote answers, and whatever arrives for it is dropped.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public sealed class SentRequest<TBody> : IAsyncDisposable, IDisposable
    where TBody : IMessageBody<TBody>
{
    private readonly PeerConnection<TBody> _connection;
    private readonly UpdateQueue<TBody> _queue;
    private volatile bool _responseArrived;
    private bool _responseTaken;
    private int _disposed;

    internal SentRequest(PeerConnection<TBody> connection, uint requestId, int serviceId)
    {
        _connection = connection;
        _queue = new UpdateQueue<TBody>(connection);
        RequestId = requestId;
        ServiceId = serviceId;
    }

    internal ConnectionDiagnostics Diagnostics => _connection.Diagnostics;

    /// <summary>The typed call's measurement and span, ended by its call object (null while nobody listens).</summary>
    internal RpcCallTelemetry? Telemetry { get; set; }

    /// <summary>The ID this request was sent with.</summary>
    public uint RequestId { get; }

    /// <summary>The service ID this request was sent with.</summary>
    public int ServiceId { get; }

    /// <summary>Whether no more updates can be sent: the response arrived, or the connection ended.</summary>
    public bool IsClosed => _responseArrived || _connection.CloseError is not null;

    internal ValueTask DeliverAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        if (message.Header.MessageType != MessageType.Response)
            return _queue.DeliverAsync(message, cancellationToken);

        _responseArrived = true;
        return _queue.DeliverAsync(message, cancellationToken, last: true, inline: _connection.Options.PreferInlineResponses);
    }

    internal void Fail(ConnectionClosedException error) => _queue.Complete(error);

    /// <summary>
    /// Receives the next responder update. Returns null when the response is next (or was already received): then call
    /// <see cref="ReceiveResponseAsync"/>.
    /// </summary>
    /// <exception cref="ConnectionClosedException">The connection ended before the response.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Message<TBody>?> ReceiveUpdateAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        while (true)
        {
            if (_queue.TryPeek(out var message))
            {
                if (message.Header.MessageType == MessageType.Response)
                    return null;
                _queue.TryRead(out message);
                return message;
            }

            if (_responseTaken || !await _queue.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                ThrowIfDisposed();
                return null;
            }
        }
    }

    /// <summary>Reads the responder updates until the response is next.</summary>
    public async IAsyncEnumerable<Message<TBody>> ReadUpdatesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReceiveUpdateAsync(cancellationToken).ConfigureAwait(false) is { } update)
            yield return update;
    }

    /// <summary>
    /// Receives the response as it came: an error response (service ID -1) is returned, not thrown; see
    /// <see cref="Message{TBody}.ThrowIfError"/>.
    /// </summary>
    /// <exception cref="UnreadUpdateException">An update is queued before the response; it stays queued.</exception>
    /// <exception cref="ConnectionClosedException">The connection ended before the response.</exception>
    /// <exception cref="InvalidOperationException">The response was already received.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Message<TBody>> ReceiveResponseAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (_responseTaken)
            throw new InvalidOperationException($"The response to request {RequestId} was already received.");
        while (true)
        {
            if (_queue.TryPeek(out var message))
            {
                if (message.Header.MessageType != MessageType.Response)
                    throw new UnreadUpdateException(RequestId, message.Header.ServiceId);
                _queue.TryRead(out message);
                _responseTaken = true;
                return message;
            }

            if (!await _queue.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                ThrowIfDisposed();
                throw new InvalidOperationException($"Request {RequestId} has no response to receive.");
            }
        }
    }

    /// <summary>Sends a requester update for this request. The body belongs to the peer from here on.</summary>
    /// <exception cref="RequestClosedException">The response already arrived; nothing was written.</exception>
    /// <exception cref="MessageTooLargeException">The body exceeds the write limit; nothing was written.</exception>
    /// <exception cref="ConnectionClosedException">The connection ended.</exception>
    public ValueTask SendUpdateAsync(int serviceId, TBody body, CancellationToken cancellationToken = default)
    {
        BodyOwnership.ThrowIfDisposed(Volatile.Read(ref _disposed) != 0, body, this);
        return SendUpdateCoreAsync(serviceId, body, cancellationToken);
    }

    internal ValueTask SendUpdateCoreAsync(int serviceId, TBody body, CancellationToken cancellationToken)
    {
        if (_responseArrived)
        {
            body.Dispose();
            throw new RequestClosedException(RequestId);
        }

        return _connection.SendAsync(new Message<TBody>(MessageHeader.RequesterUpdate(RequestId, serviceId), body), cancellationToken);
    }

    /// <summary>A handle another task can use to send requester updates for this request.</summary>
    public SentRequestWriteHandle<TBody> CreateWriteHandle() => new(this);

    /// <summary>Stops delivery to this handle; anything queued or still arriving for it is dropped.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _queue.Abandon();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <inheritdoc/>
    public override string ToString() => $"sent request {RequestId} (service {ServiceId})";
}

/// <summary>Sends requester updates for a <see cref="SentRequest{TBody}"/> from another task.</summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public sealed class SentRequestWriteHandle<TBody>
    where TBody : IMessageBody<TBody>
{
    private readonly SentRequest<TBody> _request;

    internal SentRequestWriteHandle(SentRequest<TBody> request) => _request = request;

    /// <summary>The ID of the request.</summary>
    public uint RequestId => _request.RequestId;

    /// <inheritdoc cref="SentRequest{TBody}.SendUpdateAsync"/>
    public ValueTask SendUpdateAsync(int serviceId, TBody body, CancellationToken cancellationToken = default) =>
        _request.SendUpdateCoreAsync(serviceId, body, cancellationToken);
}
