namespace FizyrRpc.ConcurrencyTests;

/// <summary>
/// Two transports joined in memory: what one writes, the other reads, in order; disposing either ends both reads
/// (end of stream). Each operation passes a <see cref="Schedule"/> point first, so the seed decides how the engine's
/// reads, writes and closes interleave.
/// </summary>
internal sealed class MemoryTransport : IPeerTransport<StreamBody>
{
    private readonly object _gate;
    private readonly Queue<Message<StreamBody>> _incoming = new();
    private readonly bool _lostWakeup;
    private MemoryTransport _remote = null!;
    private TaskCompletionSource<bool>? _waiter;
    private bool _ended;

    private MemoryTransport(object gate, bool lostWakeup)
    {
        _gate = gate;
        _lostWakeup = lostWakeup;
    }

    /// <summary>
    /// A joined pair. With <paramref name="plantedLostWakeup"/> the first transport's read has a planted bug, the
    /// classic lost wake-up: it finds the queue empty, lets go of the lock, and only then registers to be woken, so a
    /// message written in between is never read. Only some interleavings show it; each test must find it.
    /// </summary>
    public static (MemoryTransport A, MemoryTransport B) CreatePair(bool plantedLostWakeup = false)
    {
        var gate = new object();
        var a = new MemoryTransport(gate, plantedLostWakeup);
        var b = new MemoryTransport(gate, false);
        a._remote = b;
        b._remote = a;
        return (a, b);
    }

    public async ValueTask<Message<StreamBody>?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Schedule.PointAsync();
            TaskCompletionSource<bool> waiter;
            lock (_gate)
            {
                if (_incoming.TryDequeue(out var message))
                    return message;
                if (_ended)
                    return null;
                waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_lostWakeup)
                    _waiter = waiter;
            }

            if (_lostWakeup)
            {
                await Task.Yield();
                lock (_gate)
                    _waiter = waiter; // the planted bug: a write since the check above found no waiter to wake
            }

            using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
                await waiter.Task;
        }
    }

    public void ValidateOutgoing(in Message<StreamBody> message)
    {
    }

    public async ValueTask WriteAsync(IReadOnlyList<Message<StreamBody>> messages, CancellationToken cancellationToken)
    {
        await Schedule.PointAsync();
        TaskCompletionSource<bool>? wake;
        lock (_gate)
        {
            if (_ended)
                throw new IOException("the transport is closed");
            foreach (var message in messages)
                _remote._incoming.Enqueue(message);
            wake = _remote._waiter;
            _remote._waiter = null;
        }

        wake?.TrySetResult(true);
    }

    public async ValueTask DisposeAsync()
    {
        await Schedule.PointAsync();
        End();
    }

    // As closing a socket: both reads end, and a write from either side fails.
    public void Abort() => End();

    private void End()
    {
        TaskCompletionSource<bool>? wakeOwn, wakeRemote;
        lock (_gate)
        {
            _ended = _remote._ended = true;
            (wakeOwn, _waiter) = (_waiter, null);
            (wakeRemote, _remote._waiter) = (_remote._waiter, null);
        }

        wakeOwn?.TrySetResult(true);
        wakeRemote?.TrySetResult(true);
    }
}
