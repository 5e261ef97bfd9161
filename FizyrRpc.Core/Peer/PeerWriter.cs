using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace FizyrRpc;

/// <summary>
/// The outgoing side of one connection: the bounded queue every handle sends into, and the write loop that drains it
/// into batches for the transport. A message's body belongs to the writer from the moment it is handed over.
/// </summary>
internal sealed class PeerWriter<TBody>
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
    public void Complete() => _outgoing.Writer.TryComplete();

    /// <summary>Queues a message. The body belongs to the peer from here on, also when this throws.</summary>
    public ValueTask SendAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        Validate(message);
        return SendValidatedAsync(message, cancellationToken);
    }

    /// <summary>As <see cref="SendAsync"/>, for a message that already passed <see cref="Validate"/>.</summary>
    public ValueTask SendValidatedAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        CountQueued(message);
        if (_outgoing.Writer.TryWrite(message))
            return default;
        return SendSlowAsync(message, cancellationToken);
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
            Interlocked.Increment(ref _unwrittenResponses);
    }

    /// <summary>A message left the queue (written or dropped); its body is released.</summary>
    private void Release(in Message<TBody> message)
    {
        message.Body.Dispose();
        if (message.Header.MessageType == MessageType.Response)
        {
            Interlocked.Decrement(ref _unwrittenResponses);
            Interlocked.Exchange(ref _responseWritten, null)?.TrySetResult();
        }
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
            Release(message);
            throw _connection.NewCloseError();
        }
        catch
        {
            Release(message);
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
    public ValueTask TrySendAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        CountQueued(message);
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

    /// <summary>
    /// Writes batches until the queue is completed and drained, or the connection is aborted. An abort never leaves a
    /// write pending: the transport's socket is closed first (see <see cref="IPeerTransport{TBody}.Abort"/>), so the
    /// pending write fails, and only then are the batch's bodies released.
    /// </summary>
    public async Task RunAsync(CancellationToken abortToken)
    {
        var reader = _outgoing.Reader;
        var batch = new List<Message<TBody>>();
        try
        {
            // The wait takes no token: a cancellable one costs the channel a new waiter object each time, and every close
            // completes the channel anyway; an abort closes the transport's socket, which fails a pending write.
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                long bytes = 0;
                while (batch.Count < MaxBatchMessages && bytes < MaxBatchBytes && reader.TryRead(out var message))
                {
                    batch.Add(message);
                    bytes += MessageHeader.Size + message.Body.Data.Length;
                }

                abortToken.ThrowIfCancellationRequested(); // aborted while waiting: write nothing more
                await _transport.WriteAsync(batch, abortToken).ConfigureAwait(false);
                _connection.Diagnostics.Sent(batch);
                ReleaseAll(batch);
            }
        }
        catch (Exception) when (abortToken.IsCancellationRequested)
        {
            // Aborted, or the graceful shutdown ran out of time: the write failed because the socket was closed.
        }
        catch (Exception error)
        {
            _connection.Close(CloseReason.TransportError, error, graceful: false);
        }
        finally
        {
            ReleaseAll(batch);
            _connection.Close(CloseReason.ClosedLocally, null, graceful: false); // no-op unless the writer ended on its own
            while (reader.TryRead(out var message))
                Release(message);
        }
    }

    private void ReleaseAll(List<Message<TBody>> batch)
    {
        foreach (var message in batch)
            Release(message);
        batch.Clear();
    }
}
