using System.Threading.Tasks.Sources;

namespace FizyrRpc;

/// <summary>
/// The bounded queue of one open request: updates (and, for a sent request, the response) written by the read loop,
/// read by the request's handle. When it is full the read loop waits: backpressure on the connection.
/// Built for this one job (one producer, one reader at a time, usually one message): the first queued message sits in a
/// field, a ring buffer is made only when more are queued at once, and the waiter is reused, instead of a general
/// channel per request. The queue is never handed out, so its own monitor is its lock: one object less per request.
/// </summary>
internal sealed class UpdateQueue<TBody> : IValueTaskSource<bool>
    where TBody : IMessageBody<TBody>
{
    private readonly PeerConnection<TBody> _connection;
    private readonly int _capacity;
    private Message<TBody> _first; // the head of the queue when _hasFirst; the ring holds what follows it
    private bool _hasFirst;
    private Message<TBody>[] _items = [];
    private int _head;
    private int _ringCount;
    private int _count;
    private bool _completed;
    private bool _abandoned;
    private Exception? _error;

    // The reader waiting for a message (one at a time), and the read loop waiting for room (only when full).
    private ManualResetValueTaskSourceCore<bool> _reader = new() { RunContinuationsAsynchronously = true };
    private bool _readerWaiting;
    private CancellationTokenRegistration _readerCancellation;
    private TaskCompletionSource? _room;

    public UpdateQueue(PeerConnection<TBody> connection)
    {
        _connection = connection;
        _capacity = connection.Options.UpdateQueueCapacity;
    }

    /// <summary>
    /// Called by the read loop. A message for a handle that is gone, or after completion, is dropped. A queued message
    /// counts against the connection's incoming bytes until it is read; with none left, the read loop waits first.
    /// <paramref name="last"/>: nothing follows it (the response), the queue completes with it; with
    /// <paramref name="inline"/> too, a reader waiting for it continues on this thread instead of the thread pool.
    /// </summary>
    public ValueTask DeliverAsync(Message<TBody> message, CancellationToken cancellationToken, bool last = false, bool inline = false)
    {
        if (!_connection.Budgets.Incoming.HasRoom)
            return DeliverWhenBudgetAsync(message, last, cancellationToken);
        return DeliverCoreAsync(message, last, inline, cancellationToken);
    }

    private ValueTask DeliverCoreAsync(Message<TBody> message, bool last, bool inline, CancellationToken cancellationToken)
    {
        TaskCompletionSource? room = null;
        var wake = false;
        lock (this)
        {
            if (_abandoned || _completed)
            {
                message.Body.Dispose();
                return default;
            }

            if (_count == _capacity)
            {
                room = _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                Enqueue(message);
                _completed = last; // it stays readable if the connection closes now
                wake = TakeReader();
            }
        }

        if (room is not null)
            return DeliverWhenRoomAsync(message, last, room, cancellationToken);
        if (wake)
        {
            // The reader's continuation runs here, on the read loop: what it sends joins the loop's write batch.
            _reader.RunContinuationsAsynchronously = !inline;
            _reader.SetResult(true);
        }

        return default;
    }

    private async ValueTask DeliverWhenBudgetAsync(Message<TBody> message, bool last, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.Budgets.Incoming.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            message.Body.Dispose();
            throw;
        }

        await DeliverCoreAsync(message, last, inline: false, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask DeliverWhenRoomAsync(Message<TBody> message, bool last, TaskCompletionSource room, CancellationToken cancellationToken)
    {
        try
        {
            await room.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            message.Body.Dispose();
            throw;
        }

        await DeliverAsync(message, cancellationToken, last).ConfigureAwait(false);
    }

    /// <summary>No more messages will come; with an error, a waiting reader fails with it once the queue is empty.</summary>
    public void Complete(Exception? error = null)
    {
        bool wake;
        TaskCompletionSource? room;
        lock (this)
        {
            if (_completed)
                return;
            _completed = true;
            _error = error;
            wake = _count == 0 && TakeReader();
            room = TakeRoom();
        }

        room?.TrySetResult();
        if (wake)
            WakeEmpty();
    }

    /// <summary>The handle is gone: drop what is queued and everything that still arrives.</summary>
    public void Abandon()
    {
        Message<TBody>[] dropped;
        TaskCompletionSource? room;
        bool wake;
        lock (this)
        {
            _abandoned = true;
            _completed = true;
            dropped = _count == 0 ? [] : new Message<TBody>[_count];
            for (var i = 0; i < dropped.Length; i++)
                dropped[i] = Dequeue();
            wake = TakeReader();
            room = TakeRoom();
        }

        room?.TrySetResult();
        if (wake)
            WakeEmpty();
        foreach (var message in dropped)
            message.Body.Dispose();
    }

    public bool TryPeek(out Message<TBody> message)
    {
        lock (this)
        {
            if (_count == 0)
            {
                message = default;
                return false;
            }

            message = _hasFirst ? _first : _items[_head];
            return true;
        }
    }

    public bool TryRead(out Message<TBody> message)
    {
        TaskCompletionSource? room;
        lock (this)
        {
            if (_count == 0)
            {
                message = default;
                return false;
            }

            message = Dequeue();
            room = TakeRoom();
        }

        room?.TrySetResult();
        return true;
    }

    /// <summary>Waits until a message is queued (true) or the queue completed without error and is empty (false).</summary>
    /// <exception cref="ConnectionClosedException">The connection ended and the queue is empty.</exception>
    /// <exception cref="InvalidOperationException">Another read of the same request is already waiting.</exception>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        short version;
        lock (this)
        {
            if (_count > 0)
                return new ValueTask<bool>(true);
            if (_completed)
                return _error is null ? new ValueTask<bool>(false) : ValueTask.FromException<bool>(_connection.NewCloseError());
            if (_readerWaiting)
                throw new InvalidOperationException("Another read of this request is already waiting: read a request from one task at a time.");
            if (cancellationToken.IsCancellationRequested)
                return ValueTask.FromCanceled<bool>(cancellationToken);
            _reader.Reset();
            _reader.RunContinuationsAsynchronously = true;
            _readerWaiting = true;
            version = _reader.Version;

            // Registered under the lock, so a wake cannot slip in before it is recorded; a token cancelled meanwhile runs
            // CancelWait right here, which takes the (reentrant) lock again.
            if (cancellationToken.CanBeCanceled)
            {
                _readerCancellation = cancellationToken.UnsafeRegister(
                    static (state, token) => ((UpdateQueue<TBody>)state!).CancelWait(token), this);
            }
        }

        return new ValueTask<bool>(this, version);
    }

    private void CancelWait(CancellationToken cancellationToken)
    {
        lock (this)
        {
            if (!_readerWaiting)
                return; // woken meanwhile
            _readerWaiting = false;
        }

        _reader.SetException(new OperationCanceledException(cancellationToken));
    }

    private void WakeEmpty()
    {
        if (_error is null)
            _reader.SetResult(false);
        else
            _reader.SetException(_connection.NewCloseError());
    }

    // Under the lock: claims the waiting reader, if any, for waking outside the lock.
    private bool TakeReader()
    {
        if (!_readerWaiting)
            return false;
        _readerWaiting = false;
        return true;
    }

    // Under the lock: claims the read loop's wait for room, if any.
    private TaskCompletionSource? TakeRoom()
    {
        var room = _room;
        _room = null;
        return room;
    }

    private void Enqueue(Message<TBody> message)
    {
        _connection.Budgets.Incoming.ForceReserve(ConnectionBudgets.SizeOf(message));
        if (_count == 0)
        {
            _first = message;
            _hasFirst = true;
            _count = 1;
            return;
        }

        if (_ringCount == _items.Length)
        {
            var larger = new Message<TBody>[Math.Min(_capacity, Math.Max(2, _items.Length * 2))];
            for (var i = 0; i < _ringCount; i++)
                larger[i] = _items[(_head + i) % _items.Length];
            _items = larger;
            _head = 0;
        }

        _items[(_head + _ringCount) % _items.Length] = message;
        _ringCount++;
        _count++;
    }

    private Message<TBody> Dequeue()
    {
        var message = DequeueCore();
        _connection.Budgets.Incoming.Release(ConnectionBudgets.SizeOf(message));
        return message;
    }

    private Message<TBody> DequeueCore()
    {
        _count--;
        if (_hasFirst)
        {
            var first = _first;
            _first = default;
            _hasFirst = false;
            return first;
        }

        var message = _items[_head];
        _items[_head] = default;
        _head = (_head + 1) % _items.Length;
        _ringCount--;
        return message;
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        try
        {
            return _reader.GetResult(token);
        }
        finally
        {
            _readerCancellation.Dispose();
            _readerCancellation = default;
        }
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _reader.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _reader.OnCompleted(continuation, state, token, flags);
}
