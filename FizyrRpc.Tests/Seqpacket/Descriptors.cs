using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>Real descriptors for the tests: memfds with a text in them, duplicates, flags, and the process's count.</summary>
internal static class Descriptors
{
    private static readonly byte[] MemfdName = Encoding.ASCII.GetBytes("fizyr-test\0");

    /// <summary>A new memfd (close-on-exec) holding <paramref name="text"/> as UTF-8.</summary>
    public static SafeFileHandle Memfd(string text) => Memfd(text, closeOnExec: true);

    /// <summary>A new memfd holding <paramref name="text"/> as UTF-8.</summary>
    public static SafeFileHandle Memfd(string text, bool closeOnExec)
    {
        var fd = Libc.MemfdCreate(MemfdName, closeOnExec ? Libc.MfdCloExec : 0);
        if (fd < 0)
            throw new IOException($"memfd_create failed: errno {Marshal.GetLastPInvokeError()}.");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        RandomAccess.Write(handle, Encoding.UTF8.GetBytes(text), 0);
        return handle;
    }

    /// <summary>The whole content of a memfd (or any regular file), read through <paramref name="handle"/>, as UTF-8.</summary>
    public static string ReadText(SafeFileHandle handle)
    {
        var buffer = new byte[RandomAccess.GetLength(handle)];
        var read = RandomAccess.Read(handle, buffer, 0);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>Overwrites a memfd with <paramref name="text"/>.</summary>
    public static void WriteText(SafeFileHandle handle, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        RandomAccess.SetLength(handle, bytes.Length);
        RandomAccess.Write(handle, bytes, 0);
    }

    /// <summary>A close-on-exec duplicate of <paramref name="handle"/> (the same open file).</summary>
    public static SafeFileHandle Duplicate(SafeHandle handle)
    {
        var (copy, errno) = WithDescriptor(handle, fd => (Libc.Fcntl(fd, Libc.FDupFdCloExec, 0), Marshal.GetLastPInvokeError()));
        if (copy < 0)
            throw new IOException($"fcntl(F_DUPFD_CLOEXEC) failed: errno {errno}.");
        return new SafeFileHandle(copy, ownsHandle: true);
    }

    /// <summary>Whether the descriptor has FD_CLOEXEC set.</summary>
    public static bool IsCloseOnExec(SafeHandle handle)
    {
        var (flags, errno) = WithDescriptor(handle, fd => (Libc.Fcntl(fd, Libc.FGetFd, 0), Marshal.GetLastPInvokeError()));
        if (flags < 0)
            throw new IOException($"fcntl(F_GETFD) failed: errno {errno}.");
        return (flags & Libc.FdCloExec) != 0;
    }

    /// <summary>How many descriptors the process has open.</summary>
    public static int OpenCount() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>What a descriptor refers to, as /proc shows it (e.g. "pipe:[1234]"), or null when it is not open.</summary>
    public static string? Target(int fd) => new FileInfo($"/proc/self/fd/{fd}").LinkTarget;

    /// <summary>
    /// How many descriptors of this process refer to <paramref name="target"/> (see <see cref="Target"/>): finds copies
    /// a test has no handle for, such as one a peer received and never closed.
    /// </summary>
    public static int CountOpen(string target) =>
        Directory.GetFiles("/proc/self/fd").Count(path => new FileInfo(path).LinkTarget == target);

    /// <summary>Runs <paramref name="action"/> on the descriptor number while the handle is kept from closing.</summary>
    public static T WithDescriptor<T>(SafeHandle handle, Func<int, T> action)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return action((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }
}
