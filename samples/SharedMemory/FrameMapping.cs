using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Samples.SharedMemory;

/// <summary>
/// A file mapped into this process, seen as 64-bit words in place: no byte of it is copied. Disposing it unmaps it;
/// the descriptor stays open and the caller's.
/// </summary>
public sealed unsafe class FrameMapping : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private readonly int _wordCount;
    private bool _disposed;

    private FrameMapping(MemoryMappedFile file, MemoryMappedViewAccessor view, int wordCount)
    {
        _file = file;
        _view = view;
        _wordCount = wordCount;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + view.PointerOffset;
    }

    /// <summary>The mapped bytes as words, writable only for a mapping made with <c>writable: true</c>.</summary>
    public Span<ulong> Words
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new(_pointer, _wordCount);
        }
    }

    /// <summary>Maps the first <paramref name="length"/> bytes (a multiple of 8) of <paramref name="file"/>, shared.</summary>
    public static FrameMapping Map(SafeFileHandle file, long length, bool writable)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (length % sizeof(ulong) != 0 || length / sizeof(ulong) > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length), length, "The mapped length must be a multiple of 8 bytes, at most 16 GiB.");
        var access = writable ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.Read;
        // leaveOpen: the mapping borrows the descriptor; who owns it is decided by the message body that carried it.
        var mapped = MemoryMappedFile.CreateFromFile(file, mapName: null, length, access, HandleInheritability.None, leaveOpen: true);
        try
        {
            var view = mapped.CreateViewAccessor(0, length, access);
            try
            {
                return new FrameMapping(mapped, view, (int)(length / sizeof(ulong)));
            }
            catch
            {
                view.Dispose();
                throw;
            }
        }
        catch
        {
            mapped.Dispose();
            throw;
        }
    }

    /// <summary>Unmaps the file.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
