using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// The raw side's own sendmsg/recvmsg with SCM_RIGHTS, independent of the library's (a raw peer that shared the code
/// under test would share its bugs). Linux 64-bit layouts: msghdr 56 bytes, cmsghdr 16. No unsafe code: buffers are
/// pinned with GCHandle and pointers passed as nint.
/// </summary>
internal static class DatagramIo
{
    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int MsgCtrunc = 0x8;
    private const int MsgTrunc = 0x20;
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int CmsgHeaderSize = 16;

    /// <summary>The control buffer size for <paramref name="count"/> descriptors (CMSG_SPACE).</summary>
    private static int ControlSpace(int count) => CmsgHeaderSize + (((count * sizeof(int)) + 7) & ~7);

    /// <summary>
    /// Sends one datagram with <paramref name="descriptors"/> (new references to the same files; the caller keeps its
    /// handles). Returns false when the socket's buffer is full.
    /// </summary>
    public static bool TrySend(Socket socket, byte[] datagram, IReadOnlyList<SafeHandle> descriptors)
    {
        var control = new byte[descriptors.Count == 0 ? 0 : ControlSpace(descriptors.Count)];
        var added = new bool[descriptors.Count];
        var dataPin = GCHandle.Alloc(datagram, GCHandleType.Pinned);
        var controlPin = GCHandle.Alloc(control, GCHandleType.Pinned);
        var iovec = new IoVec { Base = dataPin.AddrOfPinnedObject(), Length = (nuint)datagram.Length };
        var iovecPin = GCHandle.Alloc(iovec, GCHandleType.Pinned);
        try
        {
            if (descriptors.Count > 0)
            {
                MemoryMarshal.Write(control, (ulong)(CmsgHeaderSize + (descriptors.Count * sizeof(int))));
                MemoryMarshal.Write(control.AsSpan(8), SolSocket);
                MemoryMarshal.Write(control.AsSpan(12), ScmRights);
                for (var i = 0; i < descriptors.Count; i++)
                {
                    descriptors[i].DangerousAddRef(ref added[i]);
                    MemoryMarshal.Write(control.AsSpan(CmsgHeaderSize + (i * sizeof(int))), (int)descriptors[i].DangerousGetHandle());
                }
            }

            var header = new MsgHdr
            {
                Iov = iovecPin.AddrOfPinnedObject(),
                IovLength = 1,
                Control = control.Length == 0 ? 0 : controlPin.AddrOfPinnedObject(),
                ControlLength = (nuint)control.Length,
            };
            var sent = Descriptors.WithDescriptor(socket.SafeHandle, fd => (SendMsg(fd, ref header, MsgDontWait | MsgNoSignal), Marshal.GetLastPInvokeError()));
            if (sent.Item1 >= 0)
            {
                Assert.That((long)sent.Item1, Is.EqualTo((long)datagram.Length), "a seqpacket send is all or nothing");
                return true;
            }

            if (sent.Item2 == Libc.EAgain)
                return false;
            throw new SocketException(sent.Item2);
        }
        finally
        {
            for (var i = 0; i < descriptors.Count; i++)
            {
                if (added[i])
                    descriptors[i].DangerousRelease();
            }

            iovecPin.Free();
            controlPin.Free();
            dataPin.Free();
        }
    }

    /// <summary>
    /// Receives one datagram with up to <paramref name="maxDescriptors"/> descriptors (close-on-exec, owned by the
    /// caller), or null when none is waiting.
    /// </summary>
    public static (byte[] Data, SafeFileHandle[] Descriptors, bool Truncated)? TryReceive(Socket socket, int bufferSize, int maxDescriptors)
    {
        var buffer = new byte[bufferSize];
        var control = new byte[ControlSpace(maxDescriptors)];
        var dataPin = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        var controlPin = GCHandle.Alloc(control, GCHandleType.Pinned);
        var iovec = new IoVec { Base = dataPin.AddrOfPinnedObject(), Length = (nuint)buffer.Length };
        var iovecPin = GCHandle.Alloc(iovec, GCHandleType.Pinned);
        try
        {
            var header = new MsgHdr
            {
                Iov = iovecPin.AddrOfPinnedObject(),
                IovLength = 1,
                Control = controlPin.AddrOfPinnedObject(),
                ControlLength = (nuint)control.Length,
            };
            var (received, errno) = Descriptors.WithDescriptor(
                socket.SafeHandle, fd => (RecvMsg(fd, ref header, MsgDontWait | MsgCmsgCloexec | MsgTrunc), Marshal.GetLastPInvokeError()));
            if (received < 0)
                return errno == Libc.EAgain ? null : throw new SocketException(errno);

            var descriptors = new List<SafeFileHandle>();
            var offset = 0;
            var controlLength = (int)header.ControlLength;
            while (offset + CmsgHeaderSize <= controlLength)
            {
                var length = (int)MemoryMarshal.Read<ulong>(control.AsSpan(offset));
                var level = MemoryMarshal.Read<int>(control.AsSpan(offset + 8));
                var type = MemoryMarshal.Read<int>(control.AsSpan(offset + 12));
                if (length < CmsgHeaderSize || offset + length > controlLength)
                    break;
                if (level == SolSocket && type == ScmRights)
                {
                    for (var at = offset + CmsgHeaderSize; at + sizeof(int) <= offset + length; at += sizeof(int))
                        descriptors.Add(new SafeFileHandle(MemoryMarshal.Read<int>(control.AsSpan(at)), ownsHandle: true));
                }

                offset += (length + 7) & ~7;
            }

            var truncated = (header.Flags & (MsgTrunc | MsgCtrunc)) != 0;
            return (buffer[..(int)Math.Min(received, buffer.Length)], [.. descriptors], truncated);
        }
        finally
        {
            iovecPin.Free();
            controlPin.Free();
            dataPin.Free();
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public nint Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public nint Name;
        public uint NameLength;
        public nint Iov;
        public nuint IovLength;
        public nint Control;
        public nuint ControlLength;
        public int Flags;
    }

    [DllImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static extern nint SendMsg(int socket, ref MsgHdr message, int flags);

    [DllImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static extern nint RecvMsg(int socket, ref MsgHdr message, int flags);
}
