using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace FizyrRpc;

/// <summary>
/// The incoming side of one connection: the read loop, which routes every message to the one handle that owns it,
/// and the bounded queue of requests, stream messages and reported errors the read handle takes from.
/// </summary>
internal sealed class PeerRouter<TBody>
    where TBody : IMessageBody<TBody>
{
    private readonly PeerConnection<TBody> _connection;
    private readonly IPeerTransport<TBody> _transport;
    private readonly Channel<IncomingItem> _incoming;
    private int _readHandleDisposed;
    private RequestDispatcher<TBody>? _dispatcher;

    public PeerRouter(PeerConnection<TBody> connection, IPeerTransport<TBody> transport, int capacity)
    {
        _connection = connection;
        _transport = transport;
        _incoming = Channel.CreateBounded<IncomingItem>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The connection is closing: the read handle gets what is queued, then <paramref name="error"/>.</summary>
    public void Complete(ConnectionClosedException error)
    {
        _incoming.Writer.TryComplete(error);
        Volatile.Read(ref _dispatcher)?.Close();
    }

    /// <summary>From now on requests go to <paramref name="dispatcher"/> instead of the read handle's queue.</summary>
    /// <exception cref="InvalidOperationException">A handler was already set.</exception>
    public void SetDispatcher(RequestDispatcher<TBody> dispatcher)
    {
        if (Interlocked.CompareExchange(ref _dispatcher, dispatcher, null) is not null)
            throw new InvalidOperationException("A request handler was already set on this connection.");
        if (Volatile.Read(ref _readHandleDisposed) != 0 || _connection.CloseError is not null)
            dispatcher.Close();
    }

    /// <summary>The read handle is gone: later requests are answered with an error, streams dropped.</summary>
    /// <returns>False when it was already gone.</returns>
    public bool ReleaseReadHandle()
    {
        if (Interlocked.Exchange(ref _readHandleDisposed, 1) != 0)
            return false;
        _incoming.Writer.TryComplete();
        Volatile.Read(ref _dispatcher)?.Close();
        while (_incoming.Reader.TryRead(out var item))
        {
            _connection.Budgets.Incoming.Release(item.Size);
            Reject(item);
        }

        return true;
    }

    /// <summary>Takes the next item for the read handle.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IncomingItem> ReceiveAsync(CancellationToken cancellationToken)
    {
        var reader = _incoming.Reader;
        while (true)
        {
            if (RequestMustWait(reader))
            {
                await _connection.Budgets.WhenResponseWrittenAsync(_connection.ClosedToken, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (reader.TryRead(out var item))
            {
                _connection.Budgets.Incoming.Release(item.Size);
                return item;
            }

            // An ended connection says so even to a cancelled token: a server that stops right after a connection
            // failed must still see why it failed, not only its own cancellation.
            if (reader.Completion.IsCompleted)
                throw _connection.NewCloseError();
            bool more;
            try
            {
                more = await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException && _connection.CloseError is not null)
            {
                throw _connection.NewCloseError();
            }

            if (!more)
                throw _connection.NewCloseError();
        }
    }

    // A request is handed out only while the responses not yet written leave room (the smaller of
    // MaxOpenReceivedRequestBytes and MaxOutgoingQueueBytes):
    // requests read in one burst wait here, so the application does not start answering more than the remote reads.
    // Only unwritten responses count here: they drain as the remote reads, while the requests in the queue would
    // drain only through this very read.
    private bool RequestMustWait(ChannelReader<IncomingItem> reader) =>
        _connection.Budgets.UnwrittenResponses.IsFull
        && _connection.CloseError is null
        && reader.TryPeek(out var next) && next.Error is null && next.Message.IsRequest;

    /// <summary>Reads and routes messages until the connection closes; every way it ends closes the connection.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Message<TBody>? next;
                try
                {
                    next = await EndBatchIfPending(_transport.ReadMessageAsync(cancellationToken)).ConfigureAwait(false);
                }
                catch (RpcProtocolException error) when (!error.IsFatal)
                {
                    await EndBatchIfPending(ReportAsync(error, cancellationToken)).ConfigureAwait(false);
                    continue;
                }

                if (next is not { } message)
                {
                    _connection.Close(CloseReason.ClosedByRemote, null, graceful: true);
                    return;
                }

                _connection.Diagnostics.Received(message.Header, message.Body.Data.Length);
                _connection.Idle?.Touch();
                _connection.Writer.BeginBatch();
                await EndBatchIfPending(DispatchAsync(message, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Closing.
        }
        catch (RpcProtocolException error)
        {
            _connection.Close(CloseReason.ProtocolError, error, graceful: false);
        }
        catch (TimeoutException error)
        {
            _connection.Close(CloseReason.FrameTimeout, error, graceful: false);
        }
        catch (EndOfStreamException error)
        {
            _connection.Close(CloseReason.EndedMidMessage, error, graceful: true); // nothing partial is delivered
        }
        catch (Exception) when (_connection.CloseError is not null)
        {
            // The transport failed because the connection is already closing (socket closed under a pending read).
        }
        catch (Exception error)
        {
            _connection.Close(CloseReason.TransportError, error, graceful: false);
        }
        finally
        {
            _connection.Writer.EndBatch();
        }
    }

    // Messages read without waiting form one batch: what handlers answer meanwhile on this loop goes out in one send,
    // made as soon as the loop would wait (the socket is drained, or a queue or the handler bound is full).
    private ValueTask<Message<TBody>?> EndBatchIfPending(ValueTask<Message<TBody>?> reading)
    {
        if (!reading.IsCompleted)
            _connection.Writer.EndBatch();
        return reading;
    }

    private ValueTask EndBatchIfPending(ValueTask dispatching)
    {
        if (!dispatching.IsCompleted)
            _connection.Writer.EndBatch();
        return dispatching;
    }

    private ValueTask DispatchAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        var header = message.Header;
        switch (header.MessageType)
        {
            case MessageType.Request:
                return DispatchRequestAsync(message, cancellationToken);

            case MessageType.Stream:
                if (Volatile.Read(ref _readHandleDisposed) != 0)
                {
                    message.Body.Dispose();
                    return default;
                }

                return DeliverIncomingAsync(new IncomingItem(new ReceivedMessage<TBody>(message)), cancellationToken);

            case MessageType.Response:
            case MessageType.ResponderUpdate:
                {
                    var request = _connection.Tracker.FindSent(header.RequestId, remove: header.MessageType == MessageType.Response);
                    if (request is null)
                    {
                        message.Body.Dispose();
                        return ReportAsync(RpcProtocolException.UnknownRequestId(header), cancellationToken);
                    }

                    return request.DeliverAsync(message, cancellationToken);
                }

            default: // MessageType.RequesterUpdate: the transport let only valid types through
                {
                    var request = _connection.Tracker.FindReceived(header.RequestId);
                    if (request is null)
                    {
                        message.Body.Dispose();
                        return ReportAsync(RpcProtocolException.UnknownRequestId(header), cancellationToken);
                    }

                    return request.DeliverAsync(message, cancellationToken);
                }
        }
    }

    private ValueTask DispatchRequestAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        if (AtOpenRequestLimitWithUnwrittenResponses())
            return DispatchRequestWhenWrittenAsync(message, cancellationToken);
        return DispatchRequestNowAsync(message, cancellationToken);
    }

    // A request counts until its response is handed to the socket. Past the limit, a request is refused only when the
    // open requests alone fill it; while answered ones still wait to be written, the read loop waits instead, which
    // stops reading the socket: a remote that never reads its answers is not read either. The same by bytes
    // (MaxOpenReceivedRequestBytes; the request tracker refuses by bytes as by count).
    private bool AtOpenRequestLimitWithUnwrittenResponses()
    {
        var unwritten = _connection.Writer.UnwrittenResponses;
        return unwritten > 0
            && (_connection.Tracker.OpenReceivedCount + unwritten >= _connection.Options.MaxOpenReceivedRequests
                || _connection.Budgets.OpenReceivedRequestsFull);
    }

    private async ValueTask DispatchRequestWhenWrittenAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var written = _connection.Writer.WhenResponseWritten();
                if (!AtOpenRequestLimitWithUnwrittenResponses())
                    break;
                await written.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            message.Body.Dispose();
            throw;
        }

        await DispatchRequestNowAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask DispatchRequestNowAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        var header = message.Header;
        if (Volatile.Read(ref _readHandleDisposed) != 0)
        {
            message.Body.Dispose();
            return _connection.Writer.TrySendAsync(
                PeerConnection<TBody>.ErrorResponse(header.RequestId, PeerConnection<TBody>.UnexpectedRequestText(header.ServiceId)),
                cancellationToken);
        }

        var request = new ReceivedRequest<TBody>(_connection, message);
        switch (_connection.Tracker.TryRegisterReceived(request))
        {
            case RegisterResult.Duplicate:
                message.Body.Dispose();
                return ReportAsync(RpcProtocolException.DuplicateRequestId(header.RequestId), cancellationToken);
            case RegisterResult.TooMany:
                message.Body.Dispose();
                return _connection.Writer.TrySendAsync(
                    PeerConnection<TBody>.ErrorResponse(
                        header.RequestId, $"too many open requests (limit {_connection.Options.MaxOpenReceivedRequests})"),
                    cancellationToken);
            case RegisterResult.Closed:
                message.Body.Dispose();
                return default;
            default:
                if (Volatile.Read(ref _dispatcher) is { } dispatcher)
                {
                    return _connection.Budgets.UnwrittenResponses.IsFull
                        ? DispatchWhenResponseWrittenAsync(dispatcher, request, cancellationToken)
                        : dispatcher.DispatchAsync(request, cancellationToken);
                }

                return DeliverIncomingAsync(new IncomingItem(new ReceivedMessage<TBody>(request)), cancellationToken);
        }
    }

    // The handler hook's form of the read handle's gate (RequestMustWait): a request starts no handler while the
    // unwritten responses fill their bound, so the read loop waits and a remote that never reads is not read either.
    private async ValueTask DispatchWhenResponseWrittenAsync(
        RequestDispatcher<TBody> dispatcher, ReceivedRequest<TBody> request, CancellationToken cancellationToken)
    {
        try
        {
            while (_connection.Budgets.UnwrittenResponses.IsFull && _connection.CloseError is null)
                await _connection.Budgets.WhenResponseWrittenAsync(_connection.ClosedToken, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            request.Reject(PeerConnection<TBody>.UnexpectedRequestText(request.ServiceId)); // closing: nobody will handle it
            throw;
        }

        await dispatcher.DispatchAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask ReportAsync(RpcProtocolException error, CancellationToken cancellationToken)
    {
        _connection.Diagnostics.MessageDropped(error);
        if (Volatile.Read(ref _readHandleDisposed) != 0)
            return default; // nobody reads: the message was dropped, nothing else to do
        return DeliverIncomingAsync(new IncomingItem(error), cancellationToken);
    }

    // The item's bytes count against MaxIncomingQueueBytes (and the shared budget) until the read handle takes it; with
    // no room the read loop waits, so the socket is not read.
    private ValueTask DeliverIncomingAsync(IncomingItem item, CancellationToken cancellationToken)
    {
        if (!_connection.Budgets.Incoming.TryReserve(item.Size))
            return DeliverIncomingSlowAsync(item, cancellationToken, reserved: false);
        if (_incoming.Writer.TryWrite(item))
            return default;
        return DeliverIncomingSlowAsync(item, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DeliverIncomingSlowAsync(IncomingItem item, CancellationToken cancellationToken, bool reserved = true)
    {
        try
        {
            if (!reserved)
            {
                await _connection.Budgets.Incoming.ReserveAsync(item.Size, cancellationToken).ConfigureAwait(false);
                reserved = true;
            }

            await _incoming.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is ChannelClosedException or ConnectionClosedException)
        {
            ReleaseAndReject(item, reserved);
        }
        catch
        {
            ReleaseAndReject(item, reserved); // the close cancelled the wait: nobody will ever read it
            throw;
        }
    }

    private void ReleaseAndReject(IncomingItem item, bool reserved)
    {
        if (reserved)
            _connection.Budgets.Incoming.Release(item.Size);
        Reject(item);
    }

    private static void Reject(IncomingItem item)
    {
        if (item.Error is not null)
            return;
        if (item.Message.Request is { } request)
            request.Reject(PeerConnection<TBody>.UnexpectedRequestText(request.ServiceId));
        else
            item.Message.Message.Body.Dispose();
    }

    /// <summary>An item for the read handle: a received message, or a message the peer dropped and reports.</summary>
    internal readonly struct IncomingItem
    {
        public IncomingItem(ReceivedMessage<TBody> message)
        {
            Message = message;
            Error = null;
        }

        public IncomingItem(RpcProtocolException error)
        {
            Message = default;
            Error = error;
        }

        public ReceivedMessage<TBody> Message { get; }

        public RpcProtocolException? Error { get; }

        /// <summary>The bytes it counts for in the incoming queue.</summary>
        public long Size => Error is null ? ConnectionBudgets.SizeOf(Message.Message) : 0;
    }
}
