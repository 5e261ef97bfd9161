using System.Buffers;

namespace FizyrRpc;

/// <summary>An array lent by a pool, returned exactly once: copies of a body share it, and each may be disposed.</summary>
internal sealed class RentedArray(ArrayPool<byte> pool, byte[] array)
{
    private byte[]? _notReturned = array;

    public byte[] Array { get; } = array;

    public void Return()
    {
        if (Interlocked.Exchange(ref _notReturned, null) is { } array)
            pool.Return(array);
    }
}
