using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;

namespace FizyrRpc;

/// <summary>
/// The shared state of one connection: one read loop that routes every incoming message to the one handle that owns
/// it, one write loop that drains every queued message into as few writes as possible, and the close logic. Every
/// handle of the connection talks to this object; the first reason to close wins.
/// </summary>
internal sealed class PeerConnection<TBody> : IConnectionControl
    where TBody : IMessageBody<TBody>
{
    // A batch is written when the queue runs dry or when it holds this much, whichever comes first.
    private const int MaxBatchMessages = 256;
    private const long MaxBatchBytes = 1 << 20;

    private readonly IPeerTransport<TBody> _transport;
    private readonly Channel<Message<TBody>> _outgoing;
    private readonly Channel<IncomingItem> _incoming;
    private readonly CancellationTokenSource _readStop = new();
    private readonly CancellationTokenSource _writeStop = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closeDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionClosedException? _closed;
    private int _liveHandles = 1; // the read handle; write handles add themselves
    private int _readHandleDisposed;
    private int _runStarted;

    public PeerConnection(IPeerTransport<TBody> transport, PeerOptions options)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _transport = transport;
        Options = options;
        Tracker = new RequestTracker<TBody>(options.MaxOpenReceivedRequests);
        _outgoing = Channel.CreateBounded<Message<TBody>>(new BoundedChannelOptions(options.OutgoingQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _incoming = Channel.CreateBounded<IncomingItem>(new BoundedChannelOptions(options.IncomingQueueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public PeerOptions Options { get; }

    public RequestTracker<TBody> Tracker { get; }

    public ConnectionInfo? ConnectionInfo => _transport.ConnectionInfo;

    /// <summary>Completes when the connection has ended and its transport is disposed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Cancelled as soon as the connection starts closing, for any reason.</summary>
    public CancellationToken ClosedToken => _readStop.Token;

    /// <summary>Why the connection ended, or null while it is open.</summary>
    public ConnectionClosedException? CloseError => Volatile.Read(ref _closed);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _runStarted, 1) != 0)
        {
            if (CloseError is not null)
            {
                await Completion.ConfigureAwait(false); // a close already started the loops to wind down
                return;
            }

            throw new InvalidOperationException("The peer is already running.");
        }

        using var registration = cancellationToken.Register(
            static state => ((PeerConnection<TBody>)state!).Close(CloseReason.ClosedLocally, null, graceful: true), this);
        var readLoop = ReadLoopAsync();
        var writeLoop = WriteLoopAsync();
        await readLoop.ConfigureAwait(false);
        await writeLoop.ConfigureAwait(false);

        // The loops end as soon as a close begins; the close itself (failing every open request) may still be running.
        await _closeDone.Task.ConfigureAwait(false);
        try
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            // The cancellation sources stay undisposed: a close may still touch them, and users hold their tokens.
            _completion.TrySetResult();
        }
    }

    /// <summary>Starts closing the connection. Graceful: what is queued is still written (within the shutdown timeout).</summary>
    public void Close(CloseReason reason, Exception? cause, bool graceful)
    {
        var error = new ConnectionClosedException(reason, cause);
        if (Interlocked.CompareExchange(ref _closed, error, null) is not null)
            return;
        try
        {
            if (!graceful)
                _writeStop.Cancel();
            else if (Options.ShutdownTimeout != Timeout.InfiniteTimeSpan)
                _writeStop.CancelAfter(Options.ShutdownTimeout);
            _outgoing.Writer.TryComplete();
            Tracker.FailAll(error);
            _incoming.Writer.TryComplete(error);

            // Last: users' callbacks on ConnectionClosed run inline here, and one that throws must not skip the above.
            _readStop.Cancel();
        }
        finally
        {
            _closeDone.TrySetResult();
        }

        if (Volatile.Read(ref _runStarted) == 0)
            _ = RunAsync(CancellationToken.None); // never run: still dispose the transport and complete
    }

    public Task CloseAsync()
    {
        Close(CloseReason.ClosedLocally, null, graceful: true);
        return Completion;
    }

    public void AddHandle()
    {
        while (true)
        {
            var count = Volatile.Read(ref _liveHandles);
            if (count == 0)
                throw CloseError ?? new ConnectionClosedException(CloseReason.ClosedLocally);
            if (Interlocked.CompareExchange(ref _liveHandles, count + 1, count) == count)
                return;
        }
    }

    /// <summary>Releases one handle that kept the connection alive; the last one closes it.</summary>
    /// <returns>True when this was the last handle.</returns>
    public bool ReleaseHandle()
    {
        if (Interlocked.Decrement(ref _liveHandles) != 0)
            return false;
        Close(CloseReason.ClosedLocally, null, graceful: true);
        return true;
    }

    /// <summary>The read handle is gone: later requests are answered with an error, streams dropped.</summary>
    public bool ReleaseReadHandle()
    {
        if (Interlocked.Exchange(ref _readHandleDisposed, 1) != 0)
            return false;
        _incoming.Writer.TryComplete();
        DrainIncoming();
        return ReleaseHandle();
    }

    // --- sending ---------------------------------------------------------------------------------------------

    /// <summary>Queues a message for the writer. The body belongs to the peer from here on, also when this throws.</summary>
    public ValueTask SendAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        Validate(message);
        return SendValidatedAsync(message, cancellationToken);
    }

    /// <summary>As <see cref="SendAsync"/>, for a message that already passed <see cref="Validate"/>.</summary>
    public ValueTask SendValidatedAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        if (_outgoing.Writer.TryWrite(message))
            return default;
        return SendSlowAsync(message, cancellationToken);
    }

    /// <summary>Checks the write limits; a refused message's body is disposed.</summary>
    public void Validate(in Message<TBody> message)
    {
        try
        {
            _transport.ValidateOutgoing(message);
        }
        catch
        {
            message.Body.Dispose();
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendSlowAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        try
        {
            await _outgoing.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            message.Body.Dispose();
            throw CloseError ?? new ConnectionClosedException(CloseReason.ClosedLocally);
        }
        catch
        {
            message.Body.Dispose();
            throw;
        }
    }

    /// <summary>Sends a message nobody waits for (an error response the peer sends itself); a closed connection drops it.</summary>
    public void SendDetached(Message<TBody> message)
    {
        var sending = TrySendAsync(message, CancellationToken.None);
        if (!sending.IsCompleted)
            _ = sending.AsTask();
    }

    /// <summary>Queues a message, waiting for room (backpressure); a closed connection drops it.</summary>
    private ValueTask TrySendAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        if (_outgoing.Writer.TryWrite(message))
            return default;
        return TrySendSlowAsync(message, cancellationToken);
    }

    private async ValueTask TrySendSlowAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        try
        {
            await SendSlowAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectionClosedException)
        {
            // Nobody is left to answer.
        }
    }

    public static Message<TBody> ErrorResponse(uint requestId, string text) =>
        new(MessageHeader.ErrorResponse(requestId), TBody.FromBytes(Encoding.UTF8.GetBytes(text)));

    // --- receiving -------------------------------------------------------------------------------------------

    /// <summary>Takes the next item for the read handle.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IncomingItem> ReceiveAsync(CancellationToken cancellationToken)
    {
        var reader = _incoming.Reader;
        while (true)
        {
            if (reader.TryRead(out var item))
                return item;
            bool more;
            try
            {
                more = await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException && CloseError is not null)
            {
                throw CloseError;
            }

            if (!more)
                throw CloseError ?? new ConnectionClosedException(CloseReason.ClosedLocally);
        }
    }

    private async Task ReadLoopAsync()
    {
        var cancellationToken = _readStop.Token;
        try
        {
            while (true)
            {
                Message<TBody>? next;
                try
                {
                    next = await _transport.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (RpcProtocolException error) when (!error.IsFatal)
                {
                    await ReportAsync(error, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (next is not { } message)
                {
                    Close(CloseReason.ClosedByRemote, null, graceful: true);
                    return;
                }

                await DispatchAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Closing.
        }
        catch (RpcProtocolException error)
        {
            Close(CloseReason.ProtocolError, error, graceful: false);
        }
        catch (EndOfStreamException error)
        {
            Close(CloseReason.ClosedByRemote, error, graceful: true); // ended inside a message: nothing partial is delivered
        }
        catch (Exception) when (CloseError is not null)
        {
            // The transport failed because the connection is already closing (socket disposed under a pending read).
        }
        catch (Exception error)
        {
            Close(CloseReason.TransportError, error, graceful: false);
        }
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
                    var request = Tracker.FindSent(header.RequestId, remove: header.MessageType == MessageType.Response);
                    if (request is null)
                    {
                        message.Body.Dispose();
                        return ReportAsync(RpcProtocolException.UnknownRequestId(header), cancellationToken);
                    }

                    return request.DeliverAsync(message, cancellationToken);
                }

            default: // MessageType.RequesterUpdate: the transport let only valid types through
                {
                    var request = Tracker.FindReceived(header.RequestId);
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
        var header = message.Header;
        if (Volatile.Read(ref _readHandleDisposed) != 0)
        {
            message.Body.Dispose();
            return TrySendAsync(ErrorResponse(header.RequestId, UnexpectedRequestText(header.ServiceId)), cancellationToken);
        }

        var request = new ReceivedRequest<TBody>(this, message);
        switch (Tracker.TryRegisterReceived(request))
        {
            case RegisterResult.Duplicate:
                message.Body.Dispose();
                return ReportAsync(RpcProtocolException.DuplicateRequestId(header.RequestId), cancellationToken);
            case RegisterResult.TooMany:
                message.Body.Dispose();
                return TrySendAsync(
                    ErrorResponse(header.RequestId, $"too many open requests (limit {Options.MaxOpenReceivedRequests})"),
                    cancellationToken);
            case RegisterResult.Closed:
                message.Body.Dispose();
                return default;
            default:
                return DeliverIncomingAsync(new IncomingItem(new ReceivedMessage<TBody>(request)), cancellationToken);
        }
    }

    internal static string UnexpectedRequestText(int serviceId) => $"unexpected request for service {serviceId}";

    private ValueTask ReportAsync(RpcProtocolException error, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _readHandleDisposed) != 0)
            return default; // nobody reads: the message was dropped, nothing else to do
        return DeliverIncomingAsync(new IncomingItem(error), cancellationToken);
    }

    private ValueTask DeliverIncomingAsync(IncomingItem item, CancellationToken cancellationToken)
    {
        if (_incoming.Writer.TryWrite(item))
            return default;
        return DeliverIncomingSlowAsync(item, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DeliverIncomingSlowAsync(IncomingItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _incoming.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is ChannelClosedException or ConnectionClosedException)
        {
            Reject(item);
        }
        catch
        {
            Reject(item); // the close cancelled the wait: nobody will ever read it
            throw;
        }
    }

    /// <summary>Takes back everything queued for a read handle that is gone.</summary>
    private void DrainIncoming()
    {
        while (_incoming.Reader.TryRead(out var item))
            Reject(item);
    }

    private static void Reject(IncomingItem item)
    {
        if (item.Error is not null)
            return;
        if (item.Message.Request is { } request)
            request.Reject(UnexpectedRequestText(request.ServiceId));
        else
            item.Message.Message.Body.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outgoing.Reader;
        var cancellationToken = _writeStop.Token;
        var batch = new List<Message<TBody>>();
        try
        {
            // The wait takes no token: a cancellable one costs the channel a new waiter object each time, and every close
            // completes the channel anyway; an abort then fails the write below, which takes the token.
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                long bytes = 0;
                while (batch.Count < MaxBatchMessages && bytes < MaxBatchBytes && reader.TryRead(out var message))
                {
                    batch.Add(message);
                    bytes += StreamFraming.PrefixAndHeaderSize + message.Body.Data.Length;
                }

                cancellationToken.ThrowIfCancellationRequested(); // aborted while waiting: write nothing more
                await _transport.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                DisposeBodies(batch);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Aborted, or the graceful shutdown ran out of time.
        }
        catch (Exception error)
        {
            Close(CloseReason.TransportError, error, graceful: false);
        }
        finally
        {
            DisposeBodies(batch);
            Close(CloseReason.ClosedLocally, null, graceful: false); // no-op unless the writer ended on its own
            while (reader.TryRead(out var message))
                message.Body.Dispose();
        }
    }

    private static void DisposeBodies(List<Message<TBody>> batch)
    {
        foreach (var message in batch)
            message.Body.Dispose();
        batch.Clear();
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
    }
}
