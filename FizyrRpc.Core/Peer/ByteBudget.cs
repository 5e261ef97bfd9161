namespace FizyrRpc;

/// <summary>
/// A count of bytes held against a limit, which waits (never refuses) when full: the bound behind every byte limit of
/// a connection and, as the parent of a connection's budgets, of a <see cref="MemoryBudget"/> shared by many
/// connections. A reservation always succeeds when nothing is held, so one message larger than the limit still passes
/// (alone). A connection's budget gives back to its parent what it still holds when the connection ends
/// (<see cref="Detach"/>), so a shared budget never leaks what a closed connection left unread.
/// </summary>
internal sealed class ByteBudget
{
    private readonly long _limit;
    private readonly Lock? _sync; // children only: their parent's share must move with their own, or not at all
    private readonly long _spareChunk;
    private ByteBudget? _parent;
    private long _used;
    private long _spare; // children only, under _sync: bytes taken from the parent and not used here yet
    private TaskCompletionSource? _released;

    public ByteBudget(long limit, ByteBudget? parent = null)
    {
        _limit = limit;
        _parent = parent;
        _sync = parent is null ? null : new Lock();
        _spareChunk = parent is null ? 0 : Math.Min(MaxSpareChunk, parent._limit / 64);
    }

    // A child keeps up to this much of its parent's bytes in hand: a connection's stream of small messages then moves
    // the parent's count (shared by every connection of a listener, so written from every core) about once per few
    // dozen messages instead of twice per message. What all children keep in hand is counted by the parent, so its
    // bound still holds, loosened by at most this much per busy child; an idle child (nothing used) keeps none.
    private const long MaxSpareChunk = 4096;

    public long Limit => _limit;

    /// <summary>The bytes held now (this budget's own, not its parent's).</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Whether this budget (not its parent) holds as much as its limit or more.</summary>
    public bool IsFull => Volatile.Read(ref _used) >= _limit;

    /// <summary>
    /// Takes <paramref name="bytes"/> if both this budget and its parent have room, or hold nothing but the caller's own
    /// <paramref name="held"/> bytes (so one item may grow beyond the limit, alone).
    /// </summary>
    public bool TryReserve(long bytes, long held = 0)
    {
        if (bytes <= 0)
            return true;
        if (_sync is null)
            return TryReserveOwn(bytes, held);
        lock (_sync)
        {
            var used = _used;
            if (used > held && used + bytes > _limit)
                return false;
            if (_parent is { } parent && !TakeFromParent(parent, bytes, held))
                return false;
            Volatile.Write(ref _used, used + bytes);
            return true;
        }
    }

    // Under _sync: the spare first; a small reservation that finds too little refills it by a chunk, if the parent has
    // room for that, else takes only what it needs.
    private bool TakeFromParent(ByteBudget parent, long bytes, long held)
    {
        if (_spare >= bytes)
        {
            _spare -= bytes;
            return true;
        }

        var need = bytes - _spare;
        if (bytes < _spareChunk && parent.TryReserveOwn(need + _spareChunk, held))
        {
            _spare = _spareChunk;
            return true;
        }

        if (!parent.TryReserveOwn(need, held))
            return false;
        _spare = 0;
        return true;
    }

    // Under _sync, after this budget's use fell: keep at most a chunk in hand, and none once nothing is used.
    private void GiveBackSpare(ByteBudget parent)
    {
        var giveBack = _used == 0 ? _spare : _spare - _spareChunk;
        if (giveBack <= 0)
            return;
        _spare -= giveBack;
        parent.ReleaseOwn(giveBack);
    }

    /// <summary>Takes <paramref name="bytes"/> whatever the limit: for what is already held and cannot wait.</summary>
    public void ForceReserve(long bytes)
    {
        if (bytes <= 0)
            return;
        if (_sync is null)
        {
            Interlocked.Add(ref _used, bytes);
            return;
        }

        lock (_sync)
        {
            Volatile.Write(ref _used, _used + bytes);
            if (_parent is not { } parent)
                return;
            if (_spare >= bytes)
            {
                _spare -= bytes;
                return;
            }

            Interlocked.Add(ref parent._used, bytes - _spare);
            _spare = 0;
        }
    }

    /// <summary>Takes <paramref name="bytes"/>, waiting until there is room or either token is cancelled.</summary>
    public ValueTask ReserveAsync(long bytes, CancellationToken cancellationToken, CancellationToken otherToken = default) =>
        TryReserve(bytes) ? default : ReserveSlowAsync(bytes, 0, cancellationToken, otherToken);

    /// <summary>Takes <paramref name="bytes"/> more for an item that holds <paramref name="held"/> already, waiting for room.</summary>
    public ValueTask GrowAsync(long bytes, long held, CancellationToken cancellationToken) =>
        TryReserve(bytes, held) ? default : ReserveSlowAsync(bytes, held, cancellationToken, default);

    private async ValueTask ReserveSlowAsync(long bytes, long held, CancellationToken cancellationToken, CancellationToken otherToken)
    {
        using var linked = cancellationToken.CanBeCanceled && otherToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, otherToken)
            : null;
        await ReserveSlowAsync(bytes, held, linked?.Token ?? (cancellationToken.CanBeCanceled ? cancellationToken : otherToken)).ConfigureAwait(false);
    }

    private async ValueTask ReserveSlowAsync(long bytes, long held, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Ask to be woken before looking again, so a release in between is never missed.
            var own = WhenReleased();
            var parent = Volatile.Read(ref _parent)?.WhenReleased();
            if (TryReserve(bytes, held))
                return;
            await (parent is null ? own : Task.WhenAny(own, parent)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether there is room: this budget holds nothing, or both it and its parent are below their limits.</summary>
    public bool HasRoom =>
        Volatile.Read(ref _used) == 0
        || (Volatile.Read(ref _used) < _limit && (Volatile.Read(ref _parent) is not { } parent || parent.Used < parent._limit));

    /// <summary>Waits until <see cref="HasRoom"/>, for what is counted with <see cref="ForceReserve"/> once it is admitted.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) =>
        HasRoom ? default : WaitForRoomSlowAsync(cancellationToken);

    private async ValueTask WaitForRoomSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var own = WhenReleased();
            var parent = Volatile.Read(ref _parent)?.WhenReleased();
            if (HasRoom)
                return;
            await (parent is null ? own : Task.WhenAny(own, parent)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives back bytes taken before, waking whoever waits for room.</summary>
    public void Release(long bytes)
    {
        if (bytes <= 0)
            return;
        if (_sync is null)
        {
            ReleaseOwn(bytes);
            return;
        }

        lock (_sync)
        {
            Volatile.Write(ref _used, _used - bytes);
            if (_parent is { } parent)
            {
                _spare += bytes;
                GiveBackSpare(parent);
            }
        }

        Wake();
    }

    /// <summary>The owner has ended: gives the parent back everything still held here; later releases stay local.</summary>
    public void Detach()
    {
        if (_sync is null)
            return;
        lock (_sync)
        {
            var parent = _parent;
            _parent = null;
            if (parent is not null && _used + _spare > 0)
                parent.ReleaseOwn(_used + _spare);
            _spare = 0;
        }
    }

    /// <summary>Completes the next time bytes are given back; look again after.</summary>
    public Task WhenReleased()
    {
        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _released, fresh, null) ?? fresh).Task;
    }

    private bool TryReserveOwn(long bytes, long held)
    {
        while (true)
        {
            var used = Volatile.Read(ref _used);
            if (used > held && used + bytes > _limit)
                return false;
            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
                return true;
        }
    }

    private void ReleaseOwn(long bytes)
    {
        Interlocked.Add(ref _used, -bytes);
        Wake();
    }

    // Read first: a release with nobody waiting then writes nothing shared. A waiter publishes its wake-up with a full
    // fence before it looks at the count again, and every release changes the count with one, so one sees the other.
    private void Wake()
    {
        if (Volatile.Read(ref _released) is not null)
            Interlocked.Exchange(ref _released, null)?.TrySetResult();
    }
}
