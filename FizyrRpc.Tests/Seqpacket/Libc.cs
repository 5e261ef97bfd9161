using System.Runtime.InteropServices;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// The few libc calls the tests need to make real descriptors and look at them (Linux, x86-64 and arm64 values).
/// Plain DllImport: blittable arguments only, so the test project needs no unsafe code.
/// </summary>
internal static class Libc
{
    public const int EAgain = 11;
    public const int EPipe = 32;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const uint MfdCloExec = 1;
    public const int FGetFd = 1;
    public const int FdCloExec = 1;
    public const int FDupFdCloExec = 1030;

    [DllImport("libc", EntryPoint = "memfd_create", SetLastError = true)]
    public static extern int MemfdCreate(byte[] nulTerminatedName, uint flags);

    [DllImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static extern int Pipe2([Out] int[] descriptors, int flags);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static extern int Fcntl(int descriptor, int command, int argument);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    public static extern nint Read(int descriptor, [Out] byte[] buffer, nuint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    public static extern nint Write(int descriptor, byte[] buffer, nuint count);
}
