using System.Buffers;
using System.Text;

namespace FizyrRpc;

/// <summary>
/// The body of a message on a byte-stream transport (TCP, Unix stream): bytes only. A body made with
/// <see cref="Rent"/> holds an array rented from a pool, which <see cref="Dispose"/> returns; any other body owns only
/// managed memory and its <see cref="Dispose"/> does nothing.
/// </summary>
public readonly struct StreamBody : IMessageBody<StreamBody>, IEquatable<StreamBody>
{
    private readonly RentedArray? _rented;

    /// <summary>Creates a body over <paramref name="data"/>; the bytes are not copied.</summary>
    public StreamBody(ReadOnlyMemory<byte> data)
    {
        Data = data;
        _rented = null;
    }

    private StreamBody(RentedArray rented, int length)
    {
        Data = rented.Array.AsMemory(0, length);
        _rented = rented;
    }

    /// <summary>An empty body.</summary>
    public static StreamBody Empty => default;

    /// <summary>The bytes of the body.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The bytes of the body as a span.</summary>
    public ReadOnlySpan<byte> Span => Data.Span;

    /// <summary>The number of bytes in the body.</summary>
    public int Length => Data.Length;

    /// <inheritdoc/>
    public static StreamBody FromBytes(ReadOnlyMemory<byte> data) => new(data);

    /// <summary>
    /// Makes a body of <paramref name="length"/> bytes over an array rented from <paramref name="pool"/>, to be filled
    /// through <paramref name="contents"/>. Disposing the body returns the array (once, however often it is disposed);
    /// sending it hands it to the peer, which disposes it once written. Do not touch the bytes after either: the pool
    /// may have lent the array to someone else. A body that is never disposed is simply collected.
    /// </summary>
    /// <param name="pool">The pool to rent from, e.g. <see cref="ArrayPool{T}.Shared"/>.</param>
    /// <param name="length">The length of the body.</param>
    /// <param name="contents">The body's bytes, writable, valid until the body is disposed.</param>
    public static StreamBody Rent(ArrayPool<byte> pool, int length, out Memory<byte> contents)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var rented = new RentedArray(pool, pool.Rent(length));
        contents = rented.Array.AsMemory(0, length);
        return new StreamBody(rented, length);
    }

    /// <summary>A body over the first <paramref name="length"/> bytes of <paramref name="array"/>, rented from <paramref name="pool"/> (see <see cref="Rent"/>).</summary>
    internal static StreamBody FromRented(ArrayPool<byte> pool, byte[] array, int length) => new(new RentedArray(pool, array), length);

    /// <summary>
    /// A body over the first <paramref name="length"/> bytes of an array from the <see cref="LargeBodyRecycler"/>: its
    /// <see cref="Dispose"/> does nothing (as any unrented body's), and only <see cref="Recycle"/> gives the array back.
    /// </summary>
    internal static StreamBody FromRecyclable(byte[] array, int length) => new(new RentedArray(LargeBodyRecycler.Instance, array, returnsOnDispose: false), length);

    /// <summary>
    /// Gives the body's array back to where it came from, a rented or a recyclable one, by an owner that knows nobody
    /// holds the body or its bytes any more; nothing for any other body.
    /// </summary>
    internal void Recycle() => _rented?.Recycle();

    /// <summary>Whether the body holds a rented array that <see cref="Dispose"/> returns.</summary>
    public bool IsRented => _rented is { ReturnsOnDispose: true };

    /// <summary>Creates a body holding <paramref name="text"/> as UTF-8.</summary>
    public static StreamBody FromString(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>Wraps a byte array without copying it.</summary>
    public static implicit operator StreamBody(byte[] data) => new(data);

    /// <summary>Wraps memory without copying it.</summary>
    public static implicit operator StreamBody(ReadOnlyMemory<byte> data) => new(data);

    /// <summary>Decodes the body as UTF-8 text.</summary>
    public string ToUtf8String() => Encoding.UTF8.GetString(Data.Span);

    /// <summary>Returns a rented array to its pool (see <see cref="Rent"/>); nothing to do for any other body.</summary>
    public void Dispose() => _rented?.Return();

    /// <summary>Whether both bodies hold the same bytes.</summary>
    public bool Equals(StreamBody other) => Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is StreamBody other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Data.Span);
        return hash.ToHashCode();
    }

    /// <summary>Compares the bytes of two bodies.</summary>
    public static bool operator ==(StreamBody left, StreamBody right) => left.Equals(right);

    /// <summary>Compares the bytes of two bodies.</summary>
    public static bool operator !=(StreamBody left, StreamBody right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => $"{Length} bytes";
}
