using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FizyrRpc.Transports;

/// <summary>The credentials of the process at the other end of a Unix socket, as the kernel reports them.</summary>
/// <param name="ProcessId">The remote's process ID.</param>
/// <param name="UserId">The remote's user ID.</param>
/// <param name="GroupId">The remote's group ID.</param>
public readonly record struct UnixCredentials(int ProcessId, uint UserId, uint GroupId);

/// <summary>Unix socket helpers .NET does not offer: peer credentials and telling a socket file from other files.</summary>
internal static unsafe partial class UnixSockets
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const uint FileTypeMask = 0xF000; // S_IFMT
    private const uint SocketFileType = 0xC000; // S_IFSOCK

    /// <summary>The remote's credentials (SO_PEERCRED), or null where the platform does not report them.</summary>
    public static UnixCredentials? GetPeerCredentials(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) < ucred.Length)
                return null;
        }
        catch (SocketException)
        {
            return null;
        }

        return new UnixCredentials(
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }

    /// <summary>
    /// Removes a leftover socket file at <paramref name="path"/> before binding. Anything that is not a socket is left
    /// alone and reported, so a typo in a path never deletes a user's file.
    /// </summary>
    /// <exception cref="IOException">Something other than a socket exists at the path.</exception>
    public static void RemoveStaleSocketFile(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            return;
        if (IsSocketFile(path) != true)
            throw new IOException($"Cannot listen on '{path}': it exists and is not a socket.");
        File.Delete(path);
    }

    /// <summary>Whether the path is a socket file (null when it cannot be told on this platform).</summary>
    public static bool? IsSocketFile(string path)
    {
        // st_mode's offset in struct stat differs per architecture; only the layouts we know are trusted.
        int modeOffset;
        if (!OperatingSystem.IsLinux())
            return null;
        else if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
            modeOffset = 24;
        else if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
            modeOffset = 16;
        else
            return null;

        var stat = stackalloc byte[256];
        try
        {
            if (LStat(path, stat) != 0)
                return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        var mode = *(uint*)(stat + modeOffset);
        return (mode & FileTypeMask) == SocketFileType;
    }

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LStat(string path, byte* buffer);
}
