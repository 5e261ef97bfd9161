namespace FizyrRpc;

/// <summary>
/// Bytes that many connections together may hold: bodies received and not yet handled (the incoming queues and large
/// bodies still arriving) and messages queued and not yet written. Share one instance through
/// <see cref="PeerOptions.MemoryBudget"/>; a listener whose options name none makes one of
/// <see cref="DefaultLimit"/> for its connections. When the budget is spent, a connection that needs more stops
/// reading its socket (or its sender waits) until another gives some back: the process holds at most about this much
/// for all its connections, whatever their remotes send.
/// </summary>
public sealed class MemoryBudget
{
    /// <summary>Creates a budget of <paramref name="limitBytes"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limitBytes"/> is not positive.</exception>
    public MemoryBudget(long limitBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limitBytes);
        Budget = new ByteBudget(limitBytes);
    }

    /// <summary>
    /// The default limit: a quarter of the memory the garbage collector may use (which is the heap hard limit or the
    /// container's memory limit when one is set), at least 16 MiB.
    /// </summary>
    public static long DefaultLimit => Math.Max(16L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);

    /// <summary>The most bytes the connections sharing this budget may hold together.</summary>
    public long Limit => Budget.Limit;

    /// <summary>The bytes held now.</summary>
    public long Used => Budget.Used;

    internal ByteBudget Budget { get; }
}
