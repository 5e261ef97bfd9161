using System.Buffers;

namespace FizyrRpc;

/// <summary>
/// A buffer writer over arrays rented from <see cref="ArrayPool{T}.Shared"/>: it grows by renting a larger array, and
/// what it wrote can leave either as a copy (small bodies) or with its array (<see cref="DetachRented"/>), so that
/// encoding a large body touches only pages the pool has mapped already.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int InitialLength = 4096;

    private byte[] _array = [];
    private int _written;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

    /// <summary>The number of bytes written so far.</summary>
    public int WrittenCount => _written;

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_array.Length - _written))
            throw new ArgumentOutOfRangeException(nameof(count), count, "Advanced past the end of the buffer.");
        _written += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsMemory(_written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsSpan(_written);
    }

    /// <summary>Hands out the array holding what was written (the caller returns it to the shared pool) and starts empty.</summary>
    public byte[] DetachRented(out int length)
    {
        var array = _array;
        length = _written;
        _array = [];
        _written = 0;
        return array;
    }

    /// <summary>Forgets what was written, keeping the array for the next body.</summary>
    public void Clear() => _written = 0;

    /// <summary>Returns the array to the pool.</summary>
    public void Release()
    {
        if (_array.Length > 0)
            ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        _written = 0;
    }

    private void Reserve(int sizeHint)
    {
        var needed = (long)_written + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
            return;
        var length = Math.Max(needed, Math.Max(InitialLength, 2L * _array.Length));
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(length, Array.MaxLength));
        _array.AsSpan(0, _written).CopyTo(larger);
        if (_array.Length > 0)
            ArrayPool<byte>.Shared.Return(_array);
        _array = larger;
    }
}
