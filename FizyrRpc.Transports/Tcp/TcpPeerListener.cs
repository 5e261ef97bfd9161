using System.Net;
using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Accepts TCP connections and starts a peer for each (TCP_NODELAY on).</summary>
public sealed class TcpPeerListener : PeerListener<StreamBody, TcpConnectionInfo>
{
    private readonly Socket _socket;
    private readonly StreamConfig? _config;

    internal TcpPeerListener(Socket socket, StreamConfig? config, PeerOptions? options)
        : base(options)
    {
        _socket = socket;
        _config = config;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The address and port the listener is bound to.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <inheritdoc/>
    protected override async ValueTask<(IPeerTransport<StreamBody> Transport, TcpConnectionInfo Info)> AcceptTransportAsync(CancellationToken cancellationToken)
    {
        var socket = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            socket.NoDelay = true;
            var info = new TcpConnectionInfo((IPEndPoint)socket.LocalEndPoint!, (IPEndPoint)socket.RemoteEndPoint!);
            return (new StreamTransport(socket, _config, info), info);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    protected override bool IsTransient(Exception error) => SocketErrors.IsTransientAcceptError(error);

    /// <inheritdoc/>
    protected override bool IsResourceShortage(Exception error) => SocketErrors.IsResourceShortage(error);

    /// <inheritdoc/>
    protected override ValueTask DisposeCoreAsync()
    {
        _socket.Dispose();
        return default;
    }
}
