using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>
/// A listener on a listening <see cref="Socket"/>: accepts, wraps each accepted socket in its transport, and knows
/// which socket errors are transient. Shared by the TCP and Unix listeners.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
/// <typeparam name="TInfo">What the transport tells about each connection.</typeparam>
public abstract class SocketPeerListener<TBody, TInfo> : PeerListener<TBody, TInfo>
    where TBody : IMessageBody<TBody>
    where TInfo : ConnectionInfo
{
    private readonly Socket _socket;

    private protected SocketPeerListener(Socket socket, PeerOptions? options)
        : base(options) => _socket = socket;

    /// <summary>Wraps an accepted socket in the transport; the socket is disposed if this throws.</summary>
    private protected abstract (IPeerTransport<TBody> Transport, TInfo Info) Wrap(Socket accepted);

    /// <inheritdoc/>
    protected override async ValueTask<(IPeerTransport<TBody> Transport, TInfo Info)> AcceptTransportAsync(CancellationToken cancellationToken)
    {
        var socket = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Wrap(socket);
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
        // For a Unix socket, .NET also unlinks the path it was bound to: that removes the socket file.
        _socket.Dispose();
        return default;
    }
}
