using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// A pipe whose ends tell whether every copy of the other end is closed: the read end sees end of file once no write
/// end is open anywhere (in this process or in flight), the write end sees EPIPE once no read end is. This is how the
/// tests prove that a descriptor handed to a peer was really closed, not merely forgotten.
/// </summary>
internal sealed class Pipe : IDisposable
{
    private Pipe(SafeFileHandle readEnd, SafeFileHandle writeEnd)
    {
        ReadEnd = readEnd;
        WriteEnd = writeEnd;
    }

    /// <summary>The read end; hand it over (the pipe keeps no other reference) or keep it to probe.</summary>
    public SafeFileHandle ReadEnd { get; }

    /// <summary>The write end; hand it over or keep it to probe.</summary>
    public SafeFileHandle WriteEnd { get; }

    /// <summary>What both ends refer to, as /proc shows it ("pipe:[inode]").</summary>
    public string Target { get; private init; } = string.Empty;

    /// <summary>How many descriptors of this process refer to the pipe (either end): for failure messages.</summary>
    public int OpenInThisProcess => Descriptors.CountOpen(Target);

    /// <summary>
    /// A close-on-exec pipe. A probe pipe is non-blocking, so probing never waits; a blocking one is for streaming data
    /// through <see cref="FileStream"/>.
    /// </summary>
    public static Pipe Create(bool probe = true)
    {
        var fds = new int[2];
        if (Libc.Pipe2(fds, Libc.OCloExec | (probe ? Libc.ONonBlock : 0)) != 0)
            throw new IOException($"pipe2 failed: errno {Marshal.GetLastPInvokeError()}.");
        return new Pipe(new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true))
        {
            Target = Descriptors.Target(fds[0]) ?? throw new IOException("A new pipe is not in /proc/self/fd."),
        };
    }

    /// <summary>
    /// Whether every copy of the write end is closed: a read on our read end gives end of file instead of "would block".
    /// Only for a probe pipe nobody writes to.
    /// </summary>
    public bool AllWriteEndsClosed()
    {
        var buffer = new byte[1];
        var (read, errno) = Descriptors.WithDescriptor(ReadEnd, fd => (Libc.Read(fd, buffer, 1), Marshal.GetLastPInvokeError()));
        if (read == 0)
            return true;
        if (read < 0 && errno == Libc.EAgain)
            return false;
        throw new InvalidOperationException($"Unexpected read result {read} (errno {errno}) on a probe pipe.");
    }

    /// <summary>Asserts that every copy of the write end is closed; the message counts the copies this process still holds.</summary>
    public void AssertAllWriteEndsClosed(string because = "every write end is closed")
    {
        if (!AllWriteEndsClosed())
        {
            var others = OpenInThisProcess - (ReadEnd.IsClosed ? 0 : 1);
            Assert.Fail($"{because}: a write end is still open ({others} descriptor(s) of this process besides the probe's read end refer to the pipe).");
        }
    }

    /// <summary>Whether every copy of the read end is closed: a write on our write end fails with EPIPE.</summary>
    public bool AllReadEndsClosed()
    {
        var (written, errno) = Descriptors.WithDescriptor(WriteEnd, fd => (Libc.Write(fd, [1], 1), Marshal.GetLastPInvokeError()));
        if (written == 1)
            return false;
        if (written < 0 && errno == Libc.EPipe)
            return true;
        throw new InvalidOperationException($"Unexpected write result {written} (errno {errno}) on a probe pipe.");
    }

    public void Dispose()
    {
        ReadEnd.Dispose();
        WriteEnd.Dispose();
    }
}
