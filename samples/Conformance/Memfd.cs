using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// Anonymous in-memory files (Linux memfd_create), the descriptors the fd service passes both ways, and reading a
/// received descriptor whole. Reads and writes go through <see cref="RandomAccess"/> at explicit offsets, so the
/// file offset a descriptor shares with its sender's copy is never moved.
/// </summary>
internal static partial class Memfd
{
    // MFD_CLOEXEC: a child process the sample might start does not inherit the file.
    private const uint CloseOnExec = 1;

    /// <summary>Creates a memfd named <paramref name="name"/> (a debugging aid: /proc/PID/fd shows "/memfd:NAME") holding <paramref name="content"/>.</summary>
    /// <exception cref="IOException">The file could not be created or written (out of descriptors or memory).</exception>
    public static SafeFileHandle Create(string name, ReadOnlySpan<byte> content)
    {
        var descriptor = MemfdCreate(name, CloseOnExec);
        if (descriptor < 0)
            throw new IOException($"memfd_create failed: {Marshal.GetLastPInvokeErrorMessage()}", Marshal.GetLastPInvokeError());
        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        try
        {
            RandomAccess.Write(handle, content, fileOffset: 0);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads the whole file behind <paramref name="handle"/> from offset 0.</summary>
    /// <exception cref="IOException">It holds more than <paramref name="maxLength"/> bytes, or reading failed.</exception>
    /// <exception cref="NotSupportedException">It is not a seekable file (a pipe, a socket): it has no offset 0 to read from.</exception>
    /// <exception cref="UnauthorizedAccessException">It was not opened for reading.</exception>
    public static byte[] ReadAll(SafeFileHandle handle, int maxLength)
    {
        var length = RandomAccess.GetLength(handle);
        if (length > maxLength)
            throw new IOException($"the file holds {length} bytes, more than the body limit of {maxLength} bytes");
        var content = new byte[length];
        var read = 0;
        while (read < content.Length)
        {
            var now = RandomAccess.Read(handle, content.AsSpan(read), read);
            if (now == 0)
                return content[..read]; // it shrank while being read
            read += now;
        }

        return content;
    }

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MemfdCreate(string name, uint flags);
}
