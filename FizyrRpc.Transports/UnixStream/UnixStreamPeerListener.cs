using System.Net.Sockets;

namespace FizyrRpc.Transports;

/// <summary>Accepts Unix stream connections and starts a peer for each. Disposing it removes the socket file.</summary>
public sealed class UnixStreamPeerListener : PeerListener<StreamBody, UnixConnectionInfo>
{
    private readonly Socket _socket;
    private readonly StreamConfig? _config;

    internal UnixStreamPeerListener(Socket socket, string path, StreamConfig? config, PeerOptions? options)
        : base(options)
    {
        _socket = socket;
        _config = config;
        Path = path;
    }

    /// <summary>The path of the socket file.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    protected override async ValueTask<(IPeerTransport<StreamBody> Transport, UnixConnectionInfo Info)> AcceptTransportAsync(CancellationToken cancellationToken)
    {
        var socket = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var info = new UnixConnectionInfo(Path, UnixSockets.GetPeerCredentials(socket));
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
    public override ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (UnixSockets.IsSocketFile(Path) == true)
            File.Delete(Path);
        return default;
    }
}
