using System.Buffers;

namespace FizyrRpc.Tests.TestSupport;

/// <summary>
/// Lends arrays and tracks how many are out at once: the bodies a peer holds. Signals when <paramref name="stall"/>
/// are out (where a bounded peer stops), and when more than <paramref name="bound"/> are (a bound was broken).
/// </summary>
internal sealed class HeldArrays(int stall, int bound) : ArrayPool<byte>
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _past = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _outstanding;
    private int _max;

    public Task ReachedStall => _reached.Task;

    public Task WentPastBound => _past.Task;

    public int Outstanding => Volatile.Read(ref _outstanding);

    public int MaxOutstanding => Volatile.Read(ref _max);

    public override byte[] Rent(int minimumLength)
    {
        var now = Interlocked.Increment(ref _outstanding);
        int max;
        while (now > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max)
        {
        }

        if (now >= stall)
            _reached.TrySetResult();
        if (now > bound)
            _past.TrySetResult();
        return new byte[minimumLength];
    }

    public override void Return(byte[] array, bool clearArray = false) => Interlocked.Decrement(ref _outstanding);
}
