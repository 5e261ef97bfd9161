using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// The read side of a connection: incoming requests and stream messages. There is one per connection. Disposing it
/// means "no more incoming requests": each later request is answered with the error response
/// "unexpected request for service N" and stream messages are dropped. While it is alive but not read, a bounded queue
/// fills and then the connection stops reading the socket (see <see cref="PeerOptions.IncomingQueueCapacity"/>).
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public sealed class PeerReadHandle<TBody> : IAsyncDisposable, IDisposable
    where TBody : IMessageBody<TBody>
{
    private readonly PeerConnection<TBody> _connection;
    private int _disposed;

    internal PeerReadHandle(PeerConnection<TBody> connection) => _connection = connection;

    /// <summary>Receives the next request or stream message.</summary>
    /// <exception cref="RpcProtocolException">
    /// The remote sent a message that was dropped (unknown or duplicate request ID, a malformed datagram). The
    /// connection goes on: call again to read the next message.
    /// </exception>
    /// <exception cref="ConnectionClosedException">The connection ended.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReceivedMessage<TBody>> ReceiveMessageAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var item = await _connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (item.Error is not null)
            throw item.Error;
        return item.Message;
    }

    /// <summary>
    /// Reads requests and stream messages until the connection ends. Ends quietly when either side closed the
    /// connection; throws <see cref="ConnectionClosedException"/> when it ended on an error (which includes the
    /// remote's end of stream in the middle of a message, <see cref="CloseReason.EndedMidMessage"/>). Messages the peer dropped
    /// (see <see cref="ReceiveMessageAsync"/>) are skipped here: use <see cref="ReceiveMessageAsync"/> to see them.
    /// </summary>
    public async IAsyncEnumerable<ReceivedMessage<TBody>> ReadMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ReceivedMessage<TBody> message;
            try
            {
                message = await ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcProtocolException error) when (!error.IsFatal)
            {
                continue;
            }
            catch (ConnectionClosedException closed) when (closed.Reason is CloseReason.ClosedByRemote or CloseReason.ClosedLocally)
            {
                yield break;
            }

            yield return message;
        }
    }

    /// <summary>
    /// Has the connection call <paramref name="handler"/> for every request from now on, straight from its read loop:
    /// no queue and no read loop of yours between the socket and the handler, and with
    /// <see cref="RequestHandlerOptions.PreferInlineHandlers"/> (the default) no thread hand-off either. At most
    /// <see cref="RequestHandlerOptions.MaxConcurrentHandlers"/> handlers run at once; at that bound the connection stops
    /// reading until one completes. Stream messages, and the messages the peer dropped, still come through
    /// <see cref="ReceiveMessageAsync"/>, as do requests queued before this call. Releasing this handle stops the
    /// calls: later requests are answered with an error, as without a handler.
    /// </summary>
    /// <param name="handler">Handles one request; it owns the request and must answer it (see <see cref="RequestHandler{TBody}"/>).</param>
    /// <param name="options">How handlers run; <see cref="RequestHandlerOptions.Default"/> when null.</param>
    /// <returns>The registration: the handlers running, and when the last one has finished.</returns>
    /// <exception cref="InvalidOperationException">A handler was already set.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public RequestHandlerRegistration SetRequestHandler(RequestHandler<TBody> handler, RequestHandlerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        options ??= RequestHandlerOptions.Default;
        options.Validate();
        return _connection.SetRequestHandler(handler, options);
    }

    /// <summary>Closes the connection for every handle; completes when it has ended.</summary>
    public Task CloseAsync() => _connection.CloseAsync();

    /// <summary>Releases the read side; the connection ends once no write handle is left either.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _connection.ReleaseReadHandle();
    }

    /// <summary>Releases the read side; when it was the last handle, waits until the connection has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _connection.ReleaseReadHandle())
            await _connection.Completion.ConfigureAwait(false);
    }
}
