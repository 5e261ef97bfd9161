using System.Runtime.CompilerServices;
namespace FizyrRpc;

/// <summary>
/// The write side of a connection: send requests and stream messages. Safe to use from many tasks at once; each
/// <see cref="Clone"/> keeps the connection alive until it is disposed too.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public sealed class PeerWriteHandle<TBody> : IAsyncDisposable, IDisposable
    where TBody : IMessageBody<TBody>
{
    private readonly PeerConnection<TBody> _connection;
    private int _disposed;

    internal PeerWriteHandle(PeerConnection<TBody> connection) => _connection = connection;

    internal ConnectionDiagnostics Diagnostics => _connection.Diagnostics;

    /// <summary>What is known about the connection (remote endpoint, peer credentials), if anything.</summary>
    public ConnectionInfo? ConnectionInfo => _connection.ConnectionInfo;

    /// <summary>Completes when the connection has ended.</summary>
    public Task Completion => _connection.Completion;

    /// <summary>Why the connection ended, or null while it is open.</summary>
    public ConnectionClosedException? CloseError => _connection.CloseError;

    /// <summary>Cancelled as soon as the connection starts closing.</summary>
    public CancellationToken ConnectionClosed => _connection.ClosedToken;

    /// <summary>
    /// Sends a request and returns its handle. The ID is the next free one of a counter that wraps and skips IDs still
    /// open. The body belongs to the peer from here on.
    /// </summary>
    /// <exception cref="MessageTooLargeException">The body exceeds the write limit; nothing was written.</exception>
    /// <exception cref="ConnectionClosedException">The connection ended.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SentRequest<TBody>> SendRequestAsync(int serviceId, TBody body, CancellationToken cancellationToken = default)
    {
        BodyOwnership.ThrowIfDisposed(Volatile.Read(ref _disposed) != 0, body, this);
        var message = new Message<TBody>(MessageHeader.Request(0, serviceId), body);
        _connection.Validate(message);
        SentRequest<TBody> request;
        try
        {
            request = _connection.Tracker.RegisterSent(_connection, serviceId);
        }
        catch
        {
            body.Dispose();
            throw;
        }

        try
        {
            await _connection.SendValidatedAsync(new Message<TBody>(MessageHeader.Request(request.RequestId, serviceId), body), cancellationToken)
                .ConfigureAwait(false);
        }
        catch
        {
            _connection.Tracker.Unregister(request);
            throw;
        }

        return request;
    }

    /// <summary>Sends a stream message (request ID 0). The body belongs to the peer from here on.</summary>
    /// <exception cref="MessageTooLargeException">The body exceeds the write limit; nothing was written.</exception>
    /// <exception cref="ConnectionClosedException">The connection ended.</exception>
    public ValueTask SendStreamAsync(int serviceId, TBody body, CancellationToken cancellationToken = default)
    {
        BodyOwnership.ThrowIfDisposed(Volatile.Read(ref _disposed) != 0, body, this);
        return _connection.SendAsync(new Message<TBody>(MessageHeader.Stream(serviceId), body), cancellationToken);
    }

    /// <summary>Another write handle for the same connection; it keeps the connection alive until disposed.</summary>
    /// <exception cref="ConnectionClosedException">The connection already ended.</exception>
    public PeerWriteHandle<TBody> Clone()
    {
        ThrowIfDisposed();
        _connection.AddHandle();
        return new PeerWriteHandle<TBody>(_connection);
    }

    /// <summary>A handle that can close the connection but does not keep it alive.</summary>
    public PeerCloseHandle CreateCloseHandle() => new(_connection);

    /// <summary>Closes the connection for every handle (what is queued is still written); completes when it has ended.</summary>
    public Task CloseAsync() => _connection.CloseAsync();

    /// <summary>Releases this handle; the connection ends once no handle keeps it alive.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _connection.ReleaseHandle();
    }

    /// <summary>Releases this handle; when it was the last, waits until the connection has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _connection.ReleaseHandle())
            await _connection.Completion.ConfigureAwait(false);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
