namespace FizyrRpc;

/// <summary>
/// The writer's drain. There is no write loop waiting to be woken: the thread that queues a message and finds the writer
/// idle writes the queue out itself (no second thread woken for a lone response), while a write is under way the
/// others only queue and the writing thread takes what they queued into its next batch (one send per batch under load).
/// When the thread pool has other work waiting (handlers that will answer in a moment), the drain is queued behind it
/// instead, so that their answers share the send.
/// Only a write the socket cannot take at once continues on the thread pool. The read loop, while it handles one read
/// batch, holds back what it queues itself and writes it all when it would wait (<see cref="EndBatch"/>): the answers
/// to everything one read brought in go out in one send.
/// </summary>
internal sealed partial class PeerWriter<TBody> : IThreadPoolWorkItem
{
    private readonly List<Message<TBody>> _batch = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken _abortToken;
    private int _started;
    private int _draining; // 1 while one thread owns the queue's reading and the transport's writes
    private int _batchThread; // the read loop's thread while it handles a read batch, else 0
    private int _batchMessages;
    private long _batchBytes;
    private int _drainQueued;

    /// <summary>
    /// Writes until the queue is completed and written out, or the connection is aborted. An abort never leaves a write
    /// pending: the transport's socket is closed first (see <see cref="IPeerTransport{TBody}.Abort"/>), so the pending
    /// write fails, and only then are the batch's bodies released.
    /// </summary>
    public async Task RunAsync(CancellationToken abortToken)
    {
        _abortToken = abortToken;
        using (abortToken.UnsafeRegister(static state => ((PeerWriter<TBody>)state!).TryDrain(), this))
        {
            Volatile.Write(ref _started, 1); // messages queued before the peer ran are written from here on
            TryDrain();
            await _ended.Task.ConfigureAwait(false);
        }

        _connection.Close(CloseReason.ClosedLocally, null, graceful: false); // no-op unless the writer ended on its own
    }

    /// <summary>The read loop starts (or goes on with) a read batch: what it queues waits for <see cref="EndBatch"/>.</summary>
    public void BeginBatch()
    {
        if (_batchThread == 0)
            _batchThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>The read loop is about to wait: what it queued during the batch is written now, in one go.</summary>
    public void EndBatch()
    {
        if (_batchThread == 0)
            return;
        _batchThread = 0;
        if (_batchMessages == 0)
            return;
        _batchMessages = 0;
        _batchBytes = 0;
        TryDrain();
    }

    private static long SizeOf(in Message<TBody> message) => ConnectionBudgets.SizeOf(message);

    // A message of this size was queued: write it now, unless the read loop queued it within a batch that is not full yet.
    private void Flush(long size)
    {
        if (_batchThread == Environment.CurrentManagedThreadId)
        {
            _batchBytes += size;
            if (++_batchMessages < MaxBatchMessages && _batchBytes < MaxBatchBytes)
                return;
            _batchMessages = 0;
            _batchBytes = 0;
        }
        else if (Volatile.Read(ref _drainQueued) != 0)
        {
            return; // the queued drain takes it (it clears the flag before it reads the queue); counting the pool's work costs more
        }
        else if (ThreadPool.PendingWorkItemCount > 0)
        {
            if (Interlocked.Exchange(ref _drainQueued, 1) == 0)
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            return;
        }

        TryDrain();
    }

    /// <summary>The queued drain (see <see cref="Flush"/>).</summary>
    void IThreadPoolWorkItem.Execute()
    {
        Interlocked.Exchange(ref _drainQueued, 0); // a full fence: a message queued after it queues or drains again
        TryDrain();
    }

    /// <summary>Writes the queue out on this thread, unless another thread is writing (it takes what is queued) or the peer does not run yet.</summary>
    private void TryDrain()
    {
        while (Volatile.Read(ref _started) != 0 && Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            if (!DrainOwned())
                return; // a write is pending: its continuation owns the queue now
            Interlocked.Exchange(ref _draining, 0); // a full fence: a message queued before it is seen below
            if (!HasWork())
                return;
        }
    }

    private bool HasWork() =>
        _outgoing.Reader.TryPeek(out _)
        || (_abortToken.IsCancellationRequested || _outgoing.Reader.Completion.IsCompleted) && !_ended.Task.IsCompleted;

    /// <summary>Writes batches while messages are queued; the caller owns the queue.</summary>
    /// <returns>False when a write went pending: its continuation owns the queue from then on.</returns>
    private bool DrainOwned()
    {
        var reader = _outgoing.Reader;
        while (true)
        {
            if (_abortToken.IsCancellationRequested)
            {
                End(); // aborted: write nothing more
                return true;
            }

            long bytes = 0;
            while (_batch.Count < MaxBatchMessages && bytes < MaxBatchBytes && reader.TryRead(out var message))
            {
                _batch.Add(message);
                bytes += SizeOf(message);
            }

            if (_batch.Count == 0)
            {
                if (reader.Completion.IsCompleted)
                    End(); // completed and written out
                return true;
            }

            ValueTask writing;
            try
            {
                writing = _transport.WriteAsync(_batch, _abortToken);
            }
            catch (Exception error)
            {
                writing = ValueTask.FromException(error);
            }

            if (!writing.IsCompleted)
            {
                _ = ContinueAfterWriteAsync(writing);
                return false;
            }

            Exception? failure = null;
            try
            {
                writing.GetAwaiter().GetResult();
            }
            catch (Exception error)
            {
                failure = error;
            }

            Written(failure);
        }
    }

    private async Task ContinueAfterWriteAsync(ValueTask writing)
    {
        Exception? failure = null;
        try
        {
            await writing.ConfigureAwait(false);
        }
        catch (Exception error)
        {
            failure = error;
        }

        Written(failure);
        if (!DrainOwned())
            return;
        Interlocked.Exchange(ref _draining, 0);
        if (HasWork())
            TryDrain();
    }

    // The batch's write has ended (the socket no longer reads its buffers): release it; a failure closes the connection.
    private void Written(Exception? failure)
    {
        if (failure is null)
        {
            _connection.Diagnostics.Sent(_batch);
            _connection.Idle?.Touch();
        }

        ReleaseAll(_batch);
        if (failure is not null && !_abortToken.IsCancellationRequested)
            _connection.Close(CloseReason.TransportError, failure, graceful: false);
    }

    private void End()
    {
        _outgoing.Writer.TryComplete();
        while (_outgoing.Reader.TryRead(out var message))
            Release(message);
        _ended.TrySetResult();
    }
}
