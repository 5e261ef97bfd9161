using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>
/// Accepts connections on a Unix socket path and starts a peer for each; shared by the stream and seqpacket
/// transports. Disposing it removes the socket file (.NET unlinks the bound path).
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public abstract class UnixPeerListener<TBody> : SocketPeerListener<TBody, UnixConnectionInfo>
    where TBody : IMessageBody<TBody>
{
    private protected UnixPeerListener(Socket socket, string path, PeerOptions? options)
        : base(socket, options) => Path = path;

    /// <summary>The path of the socket file.</summary>
    public string Path { get; }

    /// <summary>
    /// Binds a listening socket of <paramref name="type"/> to <paramref name="path"/>, removing a socket file left there
    /// by an earlier process first; any other file is left alone and binding fails with <see cref="IOException"/>.
    /// </summary>
    private protected static Socket Bind(string path, SocketType type)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        UnixSockets.RemoveStaleSocketFile(path);
        var socket = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Wraps an accepted socket in the transport.</summary>
    private protected abstract IPeerTransport<TBody> CreateTransport(Socket socket, UnixConnectionInfo info);

    private protected override (IPeerTransport<TBody> Transport, UnixConnectionInfo Info) Wrap(Socket accepted)
    {
        var info = new UnixConnectionInfo(Path, UnixSockets.GetPeerCredentials(accepted));
        return (CreateTransport(accepted, info), info);
    }
}
