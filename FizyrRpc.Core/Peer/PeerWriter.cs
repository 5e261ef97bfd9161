using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace FizyrRpc;

/// <summary>
/// The outgoing side of one connection: the bounded queue every handle sends into, drained into batches for the
/// transport by whichever thread finds the writer idle (see <see cref="PeerWriter{TBody}.TryDrain"/>). A message's body
/// belongs to the writer from the moment it is handed over.
/// </summary>
internal sealed partial class PeerWriter<TBody>
    where TBody : IMessageBody<TBody>
{
    // A batch is written when the queue runs dry or when it holds this much, whichever comes first.
    private const int MaxBatchMessages = 256;
    private const long MaxBatchBytes = 1 << 20;

    private readonly PeerConnection<TBody> _connection;
    private readonly IPeerTransport<TBody> _transport;
    private readonly Channel<Message<TBody>> _outgoing;

    // Responses queued but not yet handed to the socket: a received request counts against MaxOpenReceivedRequests
    // until its response is written, so a remote that never reads cannot make us answer (and hold) without end.
    private int _unwrittenResponses;
    private TaskCompletionSource? _responseWritten;

    public PeerWriter(PeerConnection<TBody> connection, IPeerTransport<TBody> transport, int capacity)
    {
        _connection = connection;
        _transport = transport;
        _outgoing = Channel.CreateBounded<Message<TBody>>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Nothing more is queued; what is queued is still written unless the connection is aborted.</summary>
    public void Complete()
    {
        _outgoing.Writer.TryComplete();
        TryDrain(); // an idle writer ends here
    }

    /// <summary>Queues a message. The body belongs to the peer from here on, also when this throws.</summary>
    public ValueTask SendAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        Validate(message);
        return SendValidatedAsync(message, cancellationToken);
    }

    /// <summary>As <see cref="SendAsync"/>, for a message that already passed <see cref="Validate"/>.</summary>
    public ValueTask SendValidatedAsync(Message<TBody> message, CancellationToken cancellationToken) =>
        TryQueue(message) is { } reserved ? SendSlowAsync(message, cancellationToken, reserved) : default;

    // The fast path of both sends: counted, reserved from the outgoing budget and queued without waiting. Null when
    // queued; otherwise whether the budget was reserved, for the slow path that takes over.
    private bool? TryQueue(in Message<TBody> message)
    {
        CountQueued(message);
        var size = SizeOf(message); // read before queueing: once queued, another thread may write and release it
        if (!_connection.Budgets.Outgoing.TryReserve(size))
            return false;
        if (!_outgoing.Writer.TryWrite(message))
            return true;
        Flush(size);
        return null;
    }

    /// <summary>Responses queued and not yet handed to the socket.</summary>
    public int UnwrittenResponses => Volatile.Read(ref _unwrittenResponses);

    /// <summary>Completes the next time a response has been handed to the socket (or dropped); check again after.</summary>
    public Task WhenResponseWritten()
    {
        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _responseWritten, fresh, null) ?? fresh).Task;
    }

    private void CountQueued(in Message<TBody> message)
    {
        if (message.Header.MessageType == MessageType.Response)
        {
            Interlocked.Increment(ref _unwrittenResponses);
            _connection.Budgets.UnwrittenResponses.ForceReserve(ConnectionBudgets.SizeOf(message));
        }
    }

    /// <summary>A message left the queue (written or dropped); its body is released, and the bytes it held.</summary>
    private void Release(in Message<TBody> message, bool reserved = true)
    {
        var size = ConnectionBudgets.SizeOf(message);
        message.Body.Dispose();
        if (reserved)
            _connection.Budgets.Outgoing.Release(size);
        if (message.Header.MessageType == MessageType.Response)
            ResponsesWritten(1, size);
    }

    private void ResponsesWritten(int count, long bytes)
    {
        _connection.Budgets.UnwrittenResponses.Release(bytes);
        Interlocked.Add(ref _unwrittenResponses, -count);
        if (Volatile.Read(ref _responseWritten) is not null)
            Interlocked.Exchange(ref _responseWritten, null)?.TrySetResult();
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
    private async ValueTask SendSlowAsync(Message<TBody> message, CancellationToken cancellationToken, bool reserved)
    {
        var size = SizeOf(message);
        try
        {
            if (!reserved)
            {
                await _connection.Budgets.Outgoing.ReserveAsync(ConnectionBudgets.SizeOf(message), _connection.ClosedToken, cancellationToken)
                    .ConfigureAwait(false);
                reserved = true;
            }

            await _outgoing.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is ChannelClosedException
            || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested && _connection.CloseError is not null))
        {
            Release(message, reserved);
            throw _connection.NewCloseError();
        }
        catch
        {
            Release(message, reserved);
            throw;
        }

        Flush(size);
    }

    /// <summary>Sends a message nobody waits for (an error response the peer sends itself); a closed connection drops it.</summary>
    public void SendDetached(Message<TBody> message)
    {
        var sending = TrySendAsync(message, CancellationToken.None);
        if (!sending.IsCompleted)
            _ = sending.AsTask();
    }

    /// <summary>Queues a message, waiting for room (backpressure); a closed connection drops it.</summary>
    public ValueTask TrySendAsync(Message<TBody> message, CancellationToken cancellationToken) =>
        TryQueue(message) is { } reserved ? TrySendSlowAsync(message, cancellationToken, reserved) : default;

    private async ValueTask TrySendSlowAsync(Message<TBody> message, CancellationToken cancellationToken, bool reserved)
    {
        try
        {
            await SendSlowAsync(message, cancellationToken, reserved).ConfigureAwait(false);
        }
        catch (ConnectionClosedException)
        {
            // Nobody is left to answer.
        }
    }

    // A written batch is released in one step: each budget and counter is touched once per batch, not per message,
    // since the threads that reserve them run on the other core and every shared write moves a cache line.
    private void ReleaseAll(List<Message<TBody>> batch)
    {
        long bytes = 0, responseBytes = 0;
        var responses = 0;
        foreach (var message in batch)
        {
            var size = ConnectionBudgets.SizeOf(message);
            message.Body.Dispose();
            bytes += size;
            if (message.Header.MessageType == MessageType.Response)
            {
                responses++;
                responseBytes += size;
            }
        }

        batch.Clear();
        _connection.Budgets.Outgoing.Release(bytes);
        if (responses > 0)
            ResponsesWritten(responses, responseBytes);
    }
}
