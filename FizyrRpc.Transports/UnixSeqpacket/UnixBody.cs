using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Transports;

/// <summary>
/// The body of a message on Unix seqpacket sockets: bytes plus file descriptors.
/// <para>
/// Ownership: a body owns its descriptors and closes them when disposed. Every body handed to a send method belongs to
/// the peer from then on, which disposes it once the message is written (or refused). Hand over descriptors you
/// do not need any more with <see cref="UnixBody(ReadOnlyMemory{byte}, SafeFileHandle[])"/>; keep your own with
/// <see cref="WithCopies"/>, which sends duplicates. A received body's descriptors are yours: dispose the body (or
/// the handles) when done; the peer disposes every body it drops.
/// </para>
/// </summary>
public readonly struct UnixBody : IMessageBody<UnixBody>
{
    private readonly SafeFileHandle[]? _descriptors;

    /// <summary>Creates a body over <paramref name="data"/> (not copied) that takes ownership of <paramref name="descriptors"/>.</summary>
    public UnixBody(ReadOnlyMemory<byte> data, params SafeFileHandle[] descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        Data = data;
        _descriptors = descriptors.Length == 0 ? null : descriptors;
    }

    /// <summary>The bytes of the body.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The bytes of the body as a span.</summary>
    public ReadOnlySpan<byte> Span => Data.Span;

    /// <summary>The number of bytes in the body.</summary>
    public int Length => Data.Length;

    /// <summary>The file descriptors the body owns.</summary>
    public IReadOnlyList<SafeFileHandle> FileDescriptors => _descriptors ?? [];

    /// <summary>Creates a body with bytes only.</summary>
    public static UnixBody FromBytes(ReadOnlyMemory<byte> data) => new(data);

    /// <summary>Creates a body that sends duplicates of <paramref name="handles"/>; the caller's handles stay open and theirs.</summary>
    /// <exception cref="IOException">A descriptor could not be duplicated.</exception>
    public static UnixBody WithCopies(ReadOnlyMemory<byte> data, params SafeHandle[] handles)
    {
        ArgumentNullException.ThrowIfNull(handles);
        var copies = new SafeFileHandle[handles.Length];
        try
        {
            for (var i = 0; i < handles.Length; i++)
                copies[i] = new SafeFileHandle(SocketMessages.Duplicate(handles[i]), ownsHandle: true);
        }
        catch
        {
            foreach (var copy in copies)
                copy?.Dispose();
            throw;
        }

        return new UnixBody(data, copies);
    }

    /// <summary>Wraps a byte array without copying it.</summary>
    public static implicit operator UnixBody(byte[] data) => new(data);

    /// <summary>Closes every descriptor the body owns. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (_descriptors is null)
            return;
        foreach (var descriptor in _descriptors)
            descriptor.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Length} bytes, {FileDescriptors.Count} file descriptors";
}
