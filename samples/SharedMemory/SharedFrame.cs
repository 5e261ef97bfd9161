using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Samples.SharedMemory;

/// <summary>Frames in shared memory: the server makes them, the client checks them where they are.</summary>
public static class SharedFrame
{
    /// <summary>Everything the client relies on: the size is fixed (no SIGBUS while mapped) and so are the contents.</summary>
    public const MemfdSeals Seals = MemfdSeals.Shrink | MemfdSeals.Grow | MemfdSeals.Write | MemfdSeals.Seal;

    /// <summary>Creates a sealed memfd of <paramref name="header"/>'s length holding the pattern of its frame. The caller owns it.</summary>
    public static SafeFileHandle Create(FrameHeader header)
    {
        var file = Memfd.Create($"fizyr-frame-{header.Frame}");
        try
        {
            RandomAccess.SetLength(file, (long)header.ByteLength);
            using (var mapping = FrameMapping.Map(file, (long)header.ByteLength, writable: true))
                FramePattern.Fill(mapping.Words, header.Frame);

            // Only now: the kernel refuses a write seal while a writable shared mapping exists.
            Memfd.AddSeals(file, Seals);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks that <paramref name="file"/> is the frame <paramref name="header"/> announces: sealed, of its length, and
    /// holding the pattern. Reads it in place through a read-only mapping.
    /// </summary>
    /// <exception cref="InvalidDataException">It is not.</exception>
    public static void Verify(SafeFileHandle file, FrameHeader header)
    {
        CheckSealed(file, header);
        using var mapping = FrameMapping.Map(file, (long)header.ByteLength, writable: false);
        var mismatch = FramePattern.FindMismatch(mapping.Words, header.Frame);
        if (mismatch >= 0)
            throw new InvalidDataException($"Frame {header.Frame}: byte {mismatch * sizeof(ulong)} differs from the pattern.");
    }

    /// <summary>Checks that <paramref name="file"/> is a memfd sealed with <see cref="Seals"/> and of the announced length.</summary>
    /// <exception cref="InvalidDataException">It is not.</exception>
    public static void CheckSealed(SafeFileHandle file, FrameHeader header)
    {
        if (!header.IsConsistent || header.ByteLength == 0)
            throw new InvalidDataException($"Frame {header.Frame}: {header.Width}×{header.Height} points do not make {header.ByteLength} bytes.");

        // Map only what cannot shrink under us: touching a page past the end of the file would kill the process.
        var seals = Memfd.GetSeals(file);
        if ((seals & Seals) != Seals)
            throw new InvalidDataException($"Frame {header.Frame}: the memfd has seals {seals}, not {Seals}.");
        var length = RandomAccess.GetLength(file);
        if ((ulong)length != header.ByteLength)
            throw new InvalidDataException($"Frame {header.Frame}: the memfd holds {length} bytes, the header says {header.ByteLength}.");
    }
}
