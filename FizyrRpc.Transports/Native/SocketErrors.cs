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

    /// <summary>Out of descriptors or buffers: accepting again at once would fail again.</summary>
    public static bool IsResourceShortage(Exception error) =>
        error is SocketException socket && socket.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable;
}
