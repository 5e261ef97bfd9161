using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Which socket errors a listener survives.</summary>
internal static class SocketErrors
{
    /// <summary>
    /// An accept that failed for one connection (the remote reset it before we took it) or for lack of resources for
    /// a moment; the listening socket itself is fine.
    /// </summary>
    public static bool IsTransientAcceptError(Exception error) =>
        error is SocketException socket && socket.SocketErrorCode is
            SocketError.ConnectionAborted or
            SocketError.ConnectionReset or
            SocketError.Interrupted or
            SocketError.TryAgain or
            SocketError.WouldBlock or
            SocketError.NetworkDown or
            SocketError.NetworkUnreachable or
            SocketError.HostUnreachable or
            SocketError.ProtocolOption or
            SocketError.TooManyOpenSockets or
            SocketError.NoBufferSpaceAvailable;

    /// <summary>
    /// The exception for a failed native socket call. <see cref="SocketException(int)"/> reads its number as a
    /// <see cref="SocketError"/> (Windows numbering), so a Linux errno is translated first; the errno stays in the text.
    /// </summary>
    public static SocketException FromErrno(int errno)
    {
        var error = errno switch
        {
            1 or 13 => SocketError.AccessDenied, // EPERM, EACCES
            4 => SocketError.Interrupted, // EINTR
            9 => SocketError.OperationAborted, // EBADF: the socket was closed under the call
            11 => SocketError.WouldBlock, // EAGAIN
            12 or 105 => SocketError.NoBufferSpaceAvailable, // ENOMEM, ENOBUFS
            14 => SocketError.Fault, // EFAULT
            22 => SocketError.InvalidArgument, // EINVAL
            23 or 24 => SocketError.TooManyOpenSockets, // ENFILE, EMFILE
            32 or 108 => SocketError.Shutdown, // EPIPE, ESHUTDOWN
            88 => SocketError.NotSocket, // ENOTSOCK
            90 => SocketError.MessageSize, // EMSGSIZE
            95 => SocketError.OperationNotSupported, // EOPNOTSUPP
            100 => SocketError.NetworkDown, // ENETDOWN
            101 => SocketError.NetworkUnreachable, // ENETUNREACH
            103 => SocketError.ConnectionAborted, // ECONNABORTED
            104 => SocketError.ConnectionReset, // ECONNRESET
            107 => SocketError.NotConnected, // ENOTCONN
            110 => SocketError.TimedOut, // ETIMEDOUT
            111 => SocketError.ConnectionRefused, // ECONNREFUSED
            113 => SocketError.HostUnreachable, // EHOSTUNREACH
            _ => SocketError.SocketError,
        };
        return new SocketException((int)error, $"{new SocketException((int)error).Message} (errno {errno})");
    }

    /// <summary>Out of descriptors or buffers: accepting again at once would fail again.</summary>
    public static bool IsResourceShortage(Exception error) =>
        error is SocketException socket && socket.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable;
}
