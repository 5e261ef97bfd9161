using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>A connection accepted by a listener: its handle, and what the transport knows about it.</summary>
/// <param name="Peer">The running peer of the new connection.</param>
/// <param name="Info">The remote endpoint (TCP) or the remote's credentials (Unix sockets).</param>
public readonly record struct AcceptedPeer<TBody, TInfo>(PeerHandle<TBody> Peer, TInfo Info)
    where TBody : IMessageBody<TBody>
    where TInfo : ConnectionInfo;

/// <summary>
/// Accepts connections and yields a running <see cref="PeerHandle{TBody}"/> for each. A transient accept error (the
/// remote gave up before we accepted, the process ran out of descriptors for a moment) never ends the listener: it is
/// counted and accepting goes on.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
/// <typeparam name="TInfo">What the transport tells about each connection.</typeparam>
public abstract class PeerListener<TBody, TInfo> : IAsyncDisposable
    where TBody : IMessageBody<TBody>
    where TInfo : ConnectionInfo
{
    // Running out of descriptors clears up only when others close: back off instead of spinning.
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    private long _transientErrors;
    private int _disposed;

    private readonly PeerOptions _options;
    private readonly SemaphoreSlim? _connectionSlots;
    private int _openConnections;

    /// <summary>
    /// Creates a listener whose peers use a copy of <paramref name="options"/>, taken and validated now. Options with no
    /// <see cref="PeerOptions.MemoryBudget"/> get one of <see cref="MemoryBudget.DefaultLimit"/>, shared by this
    /// listener's connections.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    protected PeerListener(PeerOptions? options)
    {
        _options = (options ?? PeerOptions.Default).Snapshot();
        _options.MemoryBudget ??= new MemoryBudget(MemoryBudget.DefaultLimit);
        if (_options.MaxConnections is { } max)
            _connectionSlots = new SemaphoreSlim(max, max);
        _logger = (Microsoft.Extensions.Logging.ILogger?)_options.LoggerFactory?.CreateLogger(PeerLog.ListenerCategory)
            ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    private readonly Microsoft.Extensions.Logging.ILogger _logger;

    /// <summary>The connections this listener accepted that have not ended yet.</summary>
    public int OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>The options of every accepted peer (a copy: changing it changes nothing).</summary>
    public PeerOptions Options => _options.Snapshot();

    /// <summary>How many transient accept errors were skipped so far.</summary>
    public long TransientErrorCount => Interlocked.Read(ref _transientErrors);

    /// <summary>Accepts one connection and returns its transport and information.</summary>
    protected abstract ValueTask<(IPeerTransport<TBody> Transport, TInfo Info)> AcceptTransportAsync(CancellationToken cancellationToken);

    /// <summary>Whether an accept error is transient: accepting goes on after it.</summary>
    protected abstract bool IsTransient(Exception error);

    /// <summary>Whether a transient error is a shortage of resources, after which accepting waits a little.</summary>
    protected virtual bool IsResourceShortage(Exception error) => false;

    /// <summary>Accepts the next connection and starts its peer.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The listener was disposed.</exception>
    public async ValueTask<AcceptedPeer<TBody, TInfo>> AcceptAsync(CancellationToken cancellationToken = default)
    {
        var backoff = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

            // At MaxConnections, accept nothing until a connection ends: the kernel's backlog holds the ones that wait.
            if (_connectionSlots is { } slots)
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            var started = false;
            try
            {
                var (transport, info) = await AcceptTransportAsync(cancellationToken).ConfigureAwait(false);
                var peer = Peer.Start(transport, _options);
                started = true;
                Interlocked.Increment(ref _openConnections);
                _ = peer.Completion.ContinueWith(
                    static (_, state) => ((PeerListener<TBody, TInfo>)state!).ConnectionEnded(),
                    this,
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                return new AcceptedPeer<TBody, TInfo>(peer, info);
            }
            catch (Exception error) when (Volatile.Read(ref _disposed) != 0 && error is not ObjectDisposedException)
            {
                // Disposing the listener aborts a pending accept with a socket error: report it as what it is.
                throw new ObjectDisposedException($"The {GetType().Name} was disposed while accepting.", error);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested && IsTransient(error))
            {
                Interlocked.Increment(ref _transientErrors);
                if (IsResourceShortage(error))
                {
                    PeerLog.AcceptBackoff(_logger, GetType().Name, backoff, error);
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                    backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
                }
                else
                {
                    PeerLog.AcceptErrorSkipped(_logger, GetType().Name, error);
                }
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested && Volatile.Read(ref _disposed) == 0 && error is not OperationCanceledException)
            {
                PeerLog.AcceptError(_logger, GetType().Name, error);
                throw;
            }
            finally
            {
                if (!started)
                    _connectionSlots?.Release();
            }
        }
    }

    private void ConnectionEnded()
    {
        Interlocked.Decrement(ref _openConnections);
        _connectionSlots?.Release();
    }

    /// <summary>Accepts connections until cancelled or disposed.</summary>
    public async IAsyncEnumerable<AcceptedPeer<TBody, TInfo>> AcceptAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
            yield return await AcceptAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops listening; a pending accept ends with <see cref="ObjectDisposedException"/>. Connections already accepted go on.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return default;
        GC.SuppressFinalize(this);
        return DisposeCoreAsync();
    }

    /// <summary>Releases the listening socket.</summary>
    protected abstract ValueTask DisposeCoreAsync();
}
