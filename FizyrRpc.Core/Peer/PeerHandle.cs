using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// A connection to a remote peer: the read side and the write side together. <see cref="Split"/> separates them so
/// one task can read while others write. The connection lives while the read handle or any write handle is
/// undisposed; <see cref="CloseAsync"/> on any handle ends it for everyone.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public sealed class PeerHandle<TBody> : IAsyncDisposable
    where TBody : IMessageBody<TBody>
{
    private readonly PeerConnection<TBody> _connection;
    private PeerReadHandle<TBody>? _read;
    private PeerWriteHandle<TBody>? _write;

    internal PeerHandle(PeerConnection<TBody> connection)
    {
        _connection = connection;
        _read = new PeerReadHandle<TBody>(connection);
        _connection.AddHandle();
        _write = new PeerWriteHandle<TBody>(connection);
    }

    internal PeerConnection<TBody> Connection => _connection;

    /// <summary>What is known about the connection (remote endpoint, peer credentials), if anything.</summary>
    public ConnectionInfo? ConnectionInfo => _connection.ConnectionInfo;

    /// <summary>Completes when the connection has ended and its transport is released.</summary>
    public Task Completion => _connection.Completion;

    /// <summary>Why the connection ended, or null while it is open.</summary>
    public ConnectionClosedException? CloseError => _connection.CloseError;

    /// <summary>Cancelled as soon as the connection starts closing.</summary>
    public CancellationToken ConnectionClosed => _connection.ClosedToken;

    /// <summary>The number of requests we sent that are still waiting for their response.</summary>
    public int OpenSentRequests => _connection.Tracker.OpenSentCount;

    /// <summary>The number of requests we received that are not answered yet.</summary>
    public int OpenReceivedRequests => _connection.Tracker.OpenReceivedCount;

    /// <summary>Separates the read side and the write side; this handle holds nothing afterwards.</summary>
    /// <exception cref="InvalidOperationException">The handle was already split or disposed.</exception>
    public (PeerReadHandle<TBody> Read, PeerWriteHandle<TBody> Write) Split()
    {
        var read = Interlocked.Exchange(ref _read, null);
        var write = Interlocked.Exchange(ref _write, null);
        if (read is null || write is null)
            throw new InvalidOperationException("The peer handle was already split or disposed.");
        return (read, write);
    }

    /// <inheritdoc cref="PeerReadHandle{TBody}.ReceiveMessageAsync"/>
    public ValueTask<ReceivedMessage<TBody>> ReceiveMessageAsync(CancellationToken cancellationToken = default) =>
        Read.ReceiveMessageAsync(cancellationToken);

    /// <inheritdoc cref="PeerReadHandle{TBody}.ReadMessagesAsync"/>
    public IAsyncEnumerable<ReceivedMessage<TBody>> ReadMessagesAsync(CancellationToken cancellationToken = default) =>
        Read.ReadMessagesAsync(cancellationToken);

    /// <inheritdoc cref="PeerReadHandle{TBody}.SetRequestHandler"/>
    public RequestHandlerRegistration SetRequestHandler(RequestHandler<TBody> handler, RequestHandlerOptions? options = null) =>
        Read.SetRequestHandler(handler, options);

    /// <inheritdoc cref="PeerWriteHandle{TBody}.SendRequestAsync"/>
    public ValueTask<SentRequest<TBody>> SendRequestAsync(int serviceId, TBody body, CancellationToken cancellationToken = default) =>
        WriteFor(body).SendRequestAsync(serviceId, body, cancellationToken);

    /// <inheritdoc cref="PeerWriteHandle{TBody}.SendStreamAsync"/>
    public ValueTask SendStreamAsync(int serviceId, TBody body, CancellationToken cancellationToken = default) =>
        WriteFor(body).SendStreamAsync(serviceId, body, cancellationToken);

    /// <summary>A new write handle for the connection; it keeps the connection alive until disposed.</summary>
    public PeerWriteHandle<TBody> CreateWriteHandle() => Write.Clone();

    /// <summary>A handle that can close the connection but does not keep it alive.</summary>
    public PeerCloseHandle CreateCloseHandle() => new(_connection);

    /// <summary>Closes the connection for every handle (what is queued is still written); completes when it has ended.</summary>
    public Task CloseAsync() => _connection.CloseAsync();

    /// <summary>Releases both sides; when no other handle keeps the connection alive, waits until it has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        var read = Interlocked.Exchange(ref _read, null);
        var write = Interlocked.Exchange(ref _write, null);
        if (read is not null)
            await read.DisposeAsync().ConfigureAwait(false);
        if (write is not null)
            await write.DisposeAsync().ConfigureAwait(false);
    }

    private PeerReadHandle<TBody> Read => _read ?? throw Unusable();

    private PeerWriteHandle<TBody> Write => _write ?? throw Unusable();

    // A body handed to a send method belongs to the peer, also when the send is refused.
    private PeerWriteHandle<TBody> WriteFor(TBody body)
    {
        if (_write is { } write)
            return write;
        body.Dispose();
        throw Unusable();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidOperationException Unusable() =>
        new("The peer handle was split or disposed; use the handles Split() returned.");
}
