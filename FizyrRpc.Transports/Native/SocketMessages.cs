using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FizyrRpc.Transports;

/// <summary>
/// One datagram received: its real length, how many descriptors came with it (those beyond the caller's room are
/// already closed), and what the kernel truncated.
/// </summary>
internal readonly record struct DatagramReceive(int Length, int DescriptorCount, bool Truncated, bool ControlTruncated);

/// <summary>
/// sendmsg/sendmmsg/recvmsg with SCM_RIGHTS ancillary data, which .NET's Socket does not offer. Every call is
/// non-blocking (MSG_DONTWAIT): waiting for readiness is left to the Socket's own async machinery, so no thread blocks.
/// Layouts are Linux's on 64-bit targets (checked against the C headers: msghdr 56 bytes, cmsghdr 16, mmsghdr 64).
/// </summary>
internal static unsafe partial class SocketMessages
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgCtrunc = 0x8;
    private const int MsgTrunc = 0x20;
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int EAgain = 11;
    private const int EIntr = 4;
    private const int CmsgHeaderSize = 16;
    private const int FdDupCloexec = 1030;

    /// <summary>Whether this platform's layouts are the ones this class knows.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    /// <summary>The control buffer size for <paramref name="descriptors"/> descriptors (CMSG_SPACE).</summary>
    public static int ControlSpace(int descriptors) => CmsgHeaderSize + Align(descriptors * sizeof(int));

    private static int Align(int length) => (length + 7) & ~7;

    /// <summary>
    /// Receives up to <paramref name="results"/>.Length datagrams in one recvmmsg call, without blocking. Datagram i lands
    /// in <paramref name="data"/>[i * slotSize ..] and its descriptors in <paramref name="descriptors"/>[i * fdSlots ..].
    /// Each result's Length is the datagram's real length, also when it did not fit (MSG_TRUNC). Received descriptors
    /// are close-on-exec; every one written is the caller's to close.
    /// </summary>
    /// <returns>How many datagrams were received; 0 when none is waiting.</returns>
    public static int Receive(
        SafeSocketHandle socket,
        Span<byte> data,
        int slotSize,
        Span<int> descriptors,
        int fdSlots,
        Span<DatagramReceive> results)
    {
        var count = results.Length;
        var controlSpace = ControlSpace(fdSlots);
        var control = stackalloc byte[controlSpace * count];
        var headers = stackalloc MMsgHdr[count];
        var iovs = stackalloc IoVec[count];
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            fixed (byte* buffer = data)
            {
                for (var i = 0; i < count; i++)
                {
                    iovs[i] = new IoVec { Base = buffer + (i * slotSize), Length = (nuint)slotSize };
                    headers[i] = new MMsgHdr
                    {
                        Header = new MsgHdr { Iov = &iovs[i], IovLength = 1, Control = control + (i * controlSpace), ControlLength = (nuint)controlSpace },
                    };
                }

                int received;
                do
                {
                    received = RecvMMsg((int)socket.DangerousGetHandle(), headers, (uint)count, MsgDontWait | MsgCmsgCloexec | MsgTrunc, null);
                }
                while (received < 0 && Marshal.GetLastPInvokeError() == EIntr);

                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EAgain)
                        return 0;
                    throw SocketErrors.FromErrno(errno);
                }

                for (var i = 0; i < received; i++)
                {
                    ref var header = ref headers[i].Header;
                    var fds = ReadDescriptors((byte*)header.Control, (int)header.ControlLength, descriptors.Slice(i * fdSlots, fdSlots));
                    results[i] = new DatagramReceive(
                        (int)headers[i].Length,
                        fds,
                        (header.Flags & MsgTrunc) != 0,
                        (header.Flags & MsgCtrunc) != 0);
                }

                return received;
            }
        }
        finally
        {
            if (added)
                socket.DangerousRelease();
        }
    }

    private static int ReadDescriptors(byte* control, int controlLength, Span<int> descriptors)
    {
        var count = 0;
        var offset = 0;
        while (offset + CmsgHeaderSize <= controlLength)
        {
            var length = (int)*(nuint*)(control + offset);
            var level = *(int*)(control + offset + 8);
            var type = *(int*)(control + offset + 12);
            if (length < CmsgHeaderSize || offset + length > controlLength)
                break;
            if (level == SolSocket && type == ScmRights)
            {
                var n = (length - CmsgHeaderSize) / sizeof(int);
                for (var i = 0; i < n; i++)
                {
                    var fd = *(int*)(control + offset + CmsgHeaderSize + (i * sizeof(int)));
                    if (count < descriptors.Length)
                        descriptors[count] = fd;
                    else
                        _ = Close(fd); // the kernel installed it, but there is no room to hand it on: never leak it
                    count++;
                }
            }

            offset += Align(length);
        }

        return count;
    }

    /// <summary>One datagram to send: up to two pieces of pinned memory (header, body) and its descriptors.</summary>
    public readonly struct OutgoingDatagram(byte* first, int firstLength, byte* second, int secondLength, int[]? descriptors)
    {
        public byte* First { get; } = first;

        public int FirstLength { get; } = firstLength;

        public byte* Second { get; } = second;

        public int SecondLength { get; } = secondLength;

        public int[]? Descriptors { get; } = descriptors;
    }

    /// <summary>
    /// Sends as many of <paramref name="datagrams"/> as the socket takes without blocking, in one sendmmsg call. The
    /// memory the datagrams point to must stay pinned for the call.
    /// </summary>
    /// <returns>How many were sent; 0 when the socket's buffer is full.</returns>
    public static int Send(SafeSocketHandle socket, ReadOnlySpan<OutgoingDatagram> datagrams)
    {
        const int MaxPerCall = 64;
        var count = Math.Min(datagrams.Length, MaxPerCall);
        var headers = stackalloc MMsgHdr[count];
        var iovs = stackalloc IoVec[count * 2];
        var controlSize = 0;
        for (var i = 0; i < count; i++)
            controlSize += datagrams[i].Descriptors is { Length: > 0 } fds ? ControlSpace(fds.Length) : 0;
        var control = stackalloc byte[Math.Max(controlSize, 1)];
        new Span<byte>(control, controlSize).Clear();
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var controlOffset = 0;
            for (var i = 0; i < count; i++)
            {
                var datagram = datagrams[i];
                iovs[2 * i] = new IoVec { Base = datagram.First, Length = (nuint)datagram.FirstLength };
                iovs[(2 * i) + 1] = new IoVec { Base = datagram.Second, Length = (nuint)datagram.SecondLength };
                headers[i] = new MMsgHdr { Header = new MsgHdr { Iov = &iovs[2 * i], IovLength = datagram.SecondLength > 0 ? 2u : 1u } };
                if (datagram.Descriptors is { Length: > 0 } fds)
                {
                    var space = ControlSpace(fds.Length);
                    var cmsg = control + controlOffset;
                    *(nuint*)cmsg = (nuint)(CmsgHeaderSize + (fds.Length * sizeof(int)));
                    *(int*)(cmsg + 8) = SolSocket;
                    *(int*)(cmsg + 12) = ScmRights;
                    for (var f = 0; f < fds.Length; f++)
                        *(int*)(cmsg + CmsgHeaderSize + (f * sizeof(int))) = fds[f];
                    headers[i].Header.Control = cmsg;
                    headers[i].Header.ControlLength = (nuint)space;
                    controlOffset += space;
                }
            }

            int sent;
            do
            {
                sent = SendMMsg((int)socket.DangerousGetHandle(), headers, (uint)count, MsgDontWait | MsgNoSignal);
            }
            while (sent < 0 && Marshal.GetLastPInvokeError() == EIntr);

            if (sent < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EAgain)
                    return 0;
                throw SocketErrors.FromErrno(errno);
            }

            return sent;
        }
        finally
        {
            if (added)
                socket.DangerousRelease();
        }
    }

    /// <summary>Duplicates a descriptor (close-on-exec), so the copy can be owned and closed independently.</summary>
    public static int Duplicate(SafeHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var copy = Fcntl((int)handle.DangerousGetHandle(), FdDupCloexec, 0);
            if (copy < 0)
                throw new IOException($"Cannot duplicate file descriptor: errno {Marshal.GetLastPInvokeError()}.");
            return copy;
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int RecvMMsg(int socket, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int SendMMsg(int socket, MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
