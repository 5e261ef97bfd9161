using System.Buffers;

namespace FizyrRpc;

/// <summary>
/// Where a byte stream's large received bodies get their arrays when no <c>LargeBodyPool</c> is set: an array that
/// came back (<see cref="StreamBody.Recycle"/>, which only code that knows nobody holds the body calls: the
/// transport for a body it gave up, a typed server for a request it decoded) is lent again, otherwise a new one of the
/// exact length is made. Bodies nobody recycles are collected as any array, so raw users see no change. It keeps at
/// most <see cref="MaxRetainedBytes"/>, a few arrays per power-of-two size class.
/// </summary>
internal sealed class LargeBodyRecycler : ArrayPool<byte>
{
    /// <summary>The most this keeps for reuse, across all sizes.</summary>
    public const long MaxRetainedBytes = 32L << 20;

    private const int PerClass = 8;

    private readonly Stack<byte[]>?[] _classes = new Stack<byte[]>?[32];
    private long _retained;

    /// <summary>The process's recycler.</summary>
    public static LargeBodyRecycler Instance { get; } = new();

    /// <summary>What it keeps now (for tests).</summary>
    internal long RetainedBytes
    {
        get
        {
            lock (_classes)
                return _retained;
        }
    }

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes: a kept one of its size class that is long enough, or a new one of exactly that length.</summary>
    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        if (minimumLength == 0)
            return [];
        lock (_classes)
        {
            if (_classes[SizeClass(minimumLength)] is { Count: > 0 } kept && kept.Peek().Length >= minimumLength)
            {
                var array = kept.Pop();
                _retained -= array.Length;
                return array;
            }
        }

        return GC.AllocateUninitializedArray<byte>(minimumLength);
    }

    /// <summary>Keeps <paramref name="array"/> for reuse, unless its size class is full or the recycler holds its most already.</summary>
    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length == 0)
            return;
        if (clearArray)
            Array.Clear(array);
        lock (_classes)
        {
            var kept = _classes[SizeClass(array.Length)] ??= new Stack<byte[]>(PerClass);
            if (kept.Count < PerClass && _retained + array.Length <= MaxRetainedBytes)
            {
                kept.Push(array);
                _retained += array.Length;
            }
        }
    }

    private static int SizeClass(int length) => 31 - int.LeadingZeroCount(length);
}
