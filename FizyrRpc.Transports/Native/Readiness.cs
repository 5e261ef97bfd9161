using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Transports;

/// <summary>
/// A blocking wait until a socket is readable that another thread can interrupt: poll(2) on the socket and an
/// eventfd(2), which <see cref="Signal"/> makes readable. Linux only, as the seqpacket transport that uses it.
/// </summary>
internal static unsafe partial class Readiness
{
    private const short PollIn = 0x1;
    private const int EIntr = 4;
    private const int EfdCloexec = 0x80000;
    private const int EfdNonblock = 0x800;

    /// <summary>Creates the eventfd that interrupts <see cref="Wait"/> (non-blocking, close-on-exec).</summary>
    /// <exception cref="IOException">The kernel refused (out of descriptors).</exception>
    public static SafeFileHandle CreateSignal()
    {
        var fd = EventFd(0, EfdCloexec | EfdNonblock);
        if (fd < 0)
            throw new IOException($"Cannot create an eventfd: errno {Marshal.GetLastPInvokeError()}.");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Makes <paramref name="signal"/> readable, so a <see cref="Wait"/> on it returns. Does nothing once it is closed.</summary>
    public static void Signal(SafeFileHandle signal)
    {
        var added = false;
        try
        {
            signal.DangerousAddRef(ref added);
            ulong one = 1;
            _ = Write((int)signal.DangerousGetHandle(), &one, sizeof(ulong)); // EAGAIN only at 2^64 - 1 pending: still readable
        }
        catch (ObjectDisposedException)
        {
            // Closed: nothing waits on it any more.
        }
        finally
        {
            if (added)
                signal.DangerousRelease();
        }
    }

    /// <summary>
    /// Blocks until <paramref name="socket"/> is readable (or has an error or end of stream to report) or
    /// <paramref name="signal"/> is signalled; a signal is consumed.
    /// </summary>
    /// <returns>True when the socket is ready; false when the signal woke the wait.</returns>
    /// <exception cref="ObjectDisposedException">A handle is closed.</exception>
    public static bool Wait(SafeHandle socket, SafeFileHandle signal)
    {
        var socketAdded = false;
        var signalAdded = false;
        try
        {
            socket.DangerousAddRef(ref socketAdded);
            signal.DangerousAddRef(ref signalAdded);
            var fds = stackalloc PollFd[2];
            fds[0] = new PollFd { Fd = (int)socket.DangerousGetHandle(), Events = PollIn };
            fds[1] = new PollFd { Fd = (int)signal.DangerousGetHandle(), Events = PollIn };
            int ready;
            do
            {
                ready = Poll(fds, 2, -1);
            }
            while (ready < 0 && Marshal.GetLastPInvokeError() == EIntr);

            if (ready < 0)
                throw new IOException($"poll failed: errno {Marshal.GetLastPInvokeError()}.");
            if (fds[1].ReturnedEvents != 0)
            {
                ulong count;
                _ = Read(fds[1].Fd, &count, sizeof(ulong));
                return false;
            }

            return true; // readable, or POLLERR/POLLHUP: the receive that follows reports it
        }
        finally
        {
            if (signalAdded)
                signal.DangerousRelease();
            if (socketAdded)
                socket.DangerousRelease();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, void* buffer, nuint count);
}
