using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Applies <see cref="StreamConfig"/>'s keep-alive settings to a TCP socket, made or accepted.</summary>
internal static class TcpKeepAlive
{
    public static void Apply(Socket socket, StreamConfig? config)
    {
        config ??= StreamConfig.Default;
        if (!config.KeepAlive)
            return;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)config.KeepAliveIdle.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, (int)config.KeepAliveInterval.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, config.KeepAliveCount);
    }
}
