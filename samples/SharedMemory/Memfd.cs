using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Samples.SharedMemory;

/// <summary>The seals a memfd can carry (F_SEAL_*): each forbids one kind of change, for every process, for good.</summary>
[Flags]
public enum MemfdSeals
{
    None = 0,

    /// <summary>No more seals can be added.</summary>
    Seal = 0x1,

    /// <summary>The file cannot get shorter, so a mapping of it can never fault with SIGBUS.</summary>
    Shrink = 0x2,

    /// <summary>The file cannot get longer.</summary>
    Grow = 0x4,

    /// <summary>The contents cannot change (no write, no writable shared mapping).</summary>
    Write = 0x8,
}

/// <summary>Anonymous shared memory files (Linux memfd_create) and their seals.</summary>
public static partial class Memfd
{
    private const uint MfdCloExec = 0x1;
    private const uint MfdAllowSealing = 0x2;
    private const int FAddSeals = 1024 + 9;
    private const int FGetSeals = 1024 + 10;

    /// <summary>
    /// Creates an empty memfd that can be sealed, closed on exec. <paramref name="name"/> only shows up in
    /// /proc/PID/fd (as "/memfd:NAME (deleted)"); it need not be unique.
    /// </summary>
    /// <exception cref="IOException">The kernel refused.</exception>
    public static SafeFileHandle Create(string name)
    {
        var descriptor = MemfdCreate(name, MfdCloExec | MfdAllowSealing);
        if (descriptor < 0)
            throw Error("memfd_create");
        return new SafeFileHandle(descriptor, ownsHandle: true);
    }

    /// <summary>Adds <paramref name="seals"/>; sealing writes fails while a writable shared mapping exists.</summary>
    /// <exception cref="IOException">The kernel refused.</exception>
    public static void AddSeals(SafeFileHandle file, MemfdSeals seals)
    {
        if (Fcntl(file, FAddSeals, (int)seals) < 0)
            throw Error("fcntl(F_ADD_SEALS)");
    }

    /// <summary>The seals of <paramref name="file"/>.</summary>
    /// <exception cref="IOException">Not a memfd (or not a file that supports seals).</exception>
    public static MemfdSeals GetSeals(SafeFileHandle file)
    {
        var seals = Fcntl(file, FGetSeals, 0);
        if (seals < 0)
            throw Error("fcntl(F_GET_SEALS)");
        return (MemfdSeals)seals;
    }

    private static IOException Error(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MemfdCreate(string name, uint flags);

    // fcntl is variadic; with one int argument the Linux x86-64 and arm64 calling conventions pass it like a fixed one.
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle descriptor, int command, int argument);
}
