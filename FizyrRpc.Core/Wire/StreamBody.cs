using System.Text;

namespace FizyrRpc;

/// <summary>The body of a message on a byte-stream transport (TCP, Unix stream): bytes only.</summary>
public readonly struct StreamBody : IMessageBody<StreamBody>, IEquatable<StreamBody>
{
    /// <summary>Creates a body over <paramref name="data"/>; the bytes are not copied.</summary>
    public StreamBody(ReadOnlyMemory<byte> data) => Data = data;

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

    /// <summary>Creates a body holding <paramref name="text"/> as UTF-8.</summary>
    public static StreamBody FromString(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>Wraps a byte array without copying it.</summary>
    public static implicit operator StreamBody(byte[] data) => new(data);

    /// <summary>Wraps memory without copying it.</summary>
    public static implicit operator StreamBody(ReadOnlyMemory<byte> data) => new(data);

    /// <summary>Decodes the body as UTF-8 text.</summary>
    public string ToUtf8String() => Encoding.UTF8.GetString(Data.Span);

    /// <summary>Nothing to release: a stream body owns only managed memory.</summary>
    public void Dispose()
    {
    }

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
