using System.Buffers;

namespace FizyrRpc;

/// <summary>
/// An array lent by a pool, returned exactly once: copies of a body share it, and each may be disposed. A recyclable
/// array (<see cref="ReturnsOnDispose"/> false) goes back only through <see cref="Recycle"/>: disposing its body leaves it
/// to the collector.
/// </summary>
internal sealed class RentedArray(ArrayPool<byte> pool, byte[] array, bool returnsOnDispose = true)
{
    private byte[]? _notReturned = array;

    public byte[] Array { get; } = array;

    /// <summary>Whether disposing the body returns the array (a rented body), or only <see cref="Recycle"/> does.</summary>
    public bool ReturnsOnDispose { get; } = returnsOnDispose;

    /// <summary>What disposing the body does: returns a rented array, leaves a recyclable one.</summary>
    public void Return()
    {
        if (ReturnsOnDispose)
            Recycle();
    }

    /// <summary>Returns the array to its pool (once), by its owner who knows nobody holds the body any more.</summary>
    public void Recycle()
    {
        if (Interlocked.Exchange(ref _notReturned, null) is { } array)
            pool.Return(array);
    }
}
