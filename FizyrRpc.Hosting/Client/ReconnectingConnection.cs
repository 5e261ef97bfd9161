using FizyrRpc.Hosting.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace FizyrRpc.Hosting.Client;

/// <summary>
/// A connection that is made on first use and made again whenever it is lost: the <see cref="IRpcConnectionProvider{TBody}"/>
/// a generated client is built on. The retries are a Polly retry pipeline (exponential, jittered, capped, without
/// end); the connection's own loss is what fails the calls pending on it.
/// </summary>
internal sealed class ReconnectingConnection<TInterface, TBody> : RpcClientConnection<TInterface>, IRpcConnectionProvider<TBody>, IAsyncDisposable
    where TInterface : class
    where TBody : IMessageBody<TBody>
{
    private static readonly string Name = typeof(TInterface).Name;

    private readonly RpcClientOptions _options;
    private readonly IRpcTransport<TBody> _transport;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _connectPipeline;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private TaskCompletionSource<PeerWriteHandle<TBody>> _connected = NewWaiter();
    private PeerWriteHandle<TBody>? _current;
    private Task? _running;
    private RpcConnectionState _state;
    private Exception? _lastError;
    private readonly ILoggerFactory? _loggerFactory;

    public ReconnectingConnection(RpcClientOptions options, IRpcTransport<TBody> transport, ILoggerFactory? loggerFactory)
    {
        _options = options;
        Endpoint = RpcEndpoint.Parse(options.Endpoint!);
        _transport = transport;
        _loggerFactory = loggerFactory;
        _logger = (ILogger?)loggerFactory?.CreateLogger("FizyrRpc.Hosting.Client") ?? NullLogger.Instance;
        _connectPipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(error => error is not OperationCanceledException),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ReconnectDelay,
                MaxDelay = options.MaxReconnectDelay,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    _lastError = args.Outcome.Exception;
                    _firstAttempt.TrySetResult();
                    RpcClientLog.ReconnectAttempt(_logger, Name, Endpoint, args.AttemptNumber + 1, args.Outcome.Exception?.Message, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    public override RpcEndpoint Endpoint { get; }

    public override RpcConnectionState State
    {
        get
        {
            lock (_gate)
                return _state;
        }
    }

    public override Exception? LastError => Volatile.Read(ref _lastError);

    public override event EventHandler<RpcConnectionStateChangedEventArgs>? StateChanged;

    public ValueTask<PeerWriteHandle<TBody>> GetWriteHandleAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _current) is { } write ? new(write) : WaitForWriteHandleAsync(cancellationToken);

    private async ValueTask<PeerWriteHandle<TBody>> WaitForWriteHandleAsync(CancellationToken cancellationToken)
    {
        var waiter = Start().Task;
        if (waiter.IsCompleted)
            return await waiter.ConfigureAwait(false);
        var wait = _options.WaitForConnection;
        if (wait == TimeSpan.Zero)
        {
            // Fail fast, except on first use: the first attempt is what "connects on first use" means.
            await Task.WhenAny(waiter, _firstAttempt.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (waiter.IsCompleted)
                return await waiter.ConfigureAwait(false);
            throw new ConnectionClosedException(CloseReason.TransportError, new RpcException(
                $"Not connected to {Endpoint} (WaitForConnection is zero: fail fast); reconnecting.", LastError));
        }

        try
        {
            return await waiter.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ConnectionClosedException(CloseReason.TransportError, new TimeoutException(
                $"No connection to {Endpoint} within {wait} (WaitForConnection).", LastError));
        }
    }

    public override Task WaitUntilConnectedAsync(CancellationToken cancellationToken = default) =>
        Start().Task.WaitAsync(cancellationToken);

    /// <summary>Starts connecting when idle; returns what waiting callers wait on.</summary>
    /// <exception cref="ConnectionClosedException">Disposed.</exception>
    public TaskCompletionSource<PeerWriteHandle<TBody>> Start()
    {
        TaskCompletionSource<PeerWriteHandle<TBody>> waiter;
        Task<Task> run;
        lock (_gate)
        {
            if (_state == RpcConnectionState.Disposed)
                throw DisposedError();
            waiter = _connected;
            if (_running is not null)
                return waiter;

            // Connecting from here on, so that the state never reads Idle once a call has asked for the connection;
            // the loop starts after the event, so that its events come after this one.
            _state = RpcConnectionState.Connecting;
            run = new Task<Task>(RunAsync);
            _running = run.Unwrap();
        }

        RaiseStateChanged(RpcConnectionState.Idle, RpcConnectionState.Connecting, null);
        run.Start(TaskScheduler.Default);
        return waiter;
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var first = true;
        try
        {
            while (!token.IsCancellationRequested)
            {
                SetState(first ? RpcConnectionState.Connecting : RpcConnectionState.Reconnecting, null);

                // Not at once after a loss: Linux releases a killed process's sockets in reverse descriptor order, so a
                // server's connections close before its listening socket; a reconnect made the moment the loss is seen can
                // land in the dying listener's queue, "connect", and be reset a moment later (seen over Unix sockets).
                if (!first)
                    await Task.Delay(_options.ReconnectDelay * (1 + Random.Shared.NextDouble() / 2), token).ConfigureAwait(false);
                RpcClientLog.Connecting(_logger, Name, Endpoint);
                var peer = await _connectPipeline.ExecuteAsync(ConnectOnceAsync, token).ConfigureAwait(false);
                var (read, write) = peer.Split();
                await read.DisposeAsync().ConfigureAwait(false); // the client serves nothing: requests are answered with an error, streams dropped
                TaskCompletionSource<PeerWriteHandle<TBody>> waiter;
                lock (_gate)
                {
                    if (_state == RpcConnectionState.Disposed)
                    {
                        _ = write.DisposeAsync().AsTask();
                        return;
                    }

                    Volatile.Write(ref _current, write);
                    waiter = _connected;
                }

                if (!first)
                    RpcClientMetrics.Reconnected(Name, Endpoint);
                first = false;
                _firstAttempt.TrySetResult();
                RpcClientLog.Connected(_logger, Name, Endpoint);
                SetState(RpcConnectionState.Connected, null);
                waiter.TrySetResult(write);

                await write.Completion.ConfigureAwait(false);

                // The handle is not disposed: a call may still hold it, and must fail as a closed connection, not a
                // disposed handle. The connection has ended, so it holds nothing.
                lock (_gate)
                {
                    if (_state == RpcConnectionState.Disposed)
                        return;
                    _connected = NewWaiter();
                    Volatile.Write(ref _current, null);
                }

                var closed = write.CloseError;
                Volatile.Write(ref _lastError, closed);
                RpcClientLog.ConnectionLost(_logger, Name, Endpoint, closed?.Reason.ToString() ?? "closed", closed?.InnerException);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async ValueTask<PeerHandle<TBody>> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.ConnectTimeout);
        try
        {
            return await _transport.ConnectAsync(Endpoint, _options, _loggerFactory, attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Connecting to {Endpoint} took longer than {_options.ConnectTimeout} (ConnectTimeout).");
        }
    }

    private void SetState(RpcConnectionState state, Exception? error)
    {
        RpcConnectionState previous;
        lock (_gate)
        {
            previous = _state;
            if (previous == RpcConnectionState.Disposed || previous == state)
                return;
            _state = state;
        }

        RaiseStateChanged(previous, state, error);
    }

    private void RaiseStateChanged(RpcConnectionState previous, RpcConnectionState state, Exception? error)
    {
        try
        {
            StateChanged?.Invoke(this, new RpcConnectionStateChangedEventArgs(previous, state, error));
        }
        catch (Exception)
        {
            // A handler that throws must not stop the reconnects.
        }
    }

    private ConnectionClosedException DisposedError() => new(CloseReason.ClosedLocally);

    private static TaskCompletionSource<PeerWriteHandle<TBody>> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        RpcConnectionState previous;
        PeerWriteHandle<TBody>? current;
        Task? running;
        TaskCompletionSource<PeerWriteHandle<TBody>> waiter;
        lock (_gate)
        {
            previous = _state;
            if (previous == RpcConnectionState.Disposed)
                return;
            _state = RpcConnectionState.Disposed;
            current = _current;
            _current = null;
            running = _running;
            waiter = _connected;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (current is not null)
            await current.DisposeAsync().ConfigureAwait(false); // the last handle: the connection closes gracefully
        if (running is not null)
            await running.ConfigureAwait(false);
        waiter.TrySetException(DisposedError());
        _firstAttempt.TrySetResult();
        _stop.Dispose();
        RpcClientLog.Disposed(_logger, Name, Endpoint);
        RaiseStateChanged(previous, RpcConnectionState.Disposed, null);
    }
}
