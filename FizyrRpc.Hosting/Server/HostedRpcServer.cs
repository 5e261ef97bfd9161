using FizyrRpc.Hosting.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FizyrRpc.Hosting.Server;

/// <summary>
/// Runs a typed server as a hosted service: binds every endpoint at start, accepts, and serves each connection with a
/// <typeparamref name="TServer"/> from its own DI scope, disposed with the connection. Stopping is graceful: accepting
/// stops, requests that come after are answered with an error by the engine, running handlers finish within the
/// host's shutdown timeout; then they are cancelled (and answered with an error), and after
/// <see cref="RpcServerOptions.AbortTimeout"/> what is still open is closed.
/// </summary>
internal sealed class HostedRpcServer<TServer, TBody> : RpcServerHost<TServer>, IHostedService, IAsyncDisposable
    where TServer : RpcServerBase<TBody>
    where TBody : IMessageBody<TBody>
{
    private static readonly string Name = typeof(TServer).Name;

    private readonly IServiceScopeFactory _scopes;
    private readonly IOptionsMonitor<RpcServerOptions> _optionsMonitor;
    private readonly string _optionsName;
    private readonly IRpcTransport<TBody> _transport;
    private readonly ILogger _logger;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly List<IRpcListener<TBody>> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly HashSet<Connection> _connections = [];
    private RpcServerOptions _options = new();
    private volatile RpcEndpoint[] _endpoints = [];
    private volatile bool _listening;
    private int _failedListeners;
    private int _disposed;

    public HostedRpcServer(
        IServiceScopeFactory scopes,
        IOptionsMonitor<RpcServerOptions> options,
        string optionsName,
        IRpcTransport<TBody> transport,
        ILoggerFactory? loggerFactory)
    {
        _scopes = scopes;
        _optionsMonitor = options;
        _optionsName = optionsName;
        _transport = transport;
        _loggerFactory = loggerFactory;
        _logger = (ILogger?)loggerFactory?.CreateLogger("FizyrRpc.Hosting.Server") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    public override IReadOnlyList<RpcEndpoint> Endpoints => _endpoints;

    public override bool IsListening => _listening && Volatile.Read(ref _failedListeners) == 0;

    public override int OpenConnections
    {
        get
        {
            lock (_connections)
                return _connections.Count;
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _options = _optionsMonitor.Get(_optionsName);
        try
        {
            foreach (var text in _options.Endpoints)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var endpoint = RpcEndpoint.Parse(text);
                IRpcListener<TBody> listener;
                try
                {
                    listener = await _transport.BindAsync(endpoint, _options, _loggerFactory).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    throw new InvalidOperationException($"The FizyrRpc server {Name} cannot listen on {endpoint}: {error.Message}", error);
                }

                _listeners.Add(listener);
                RpcServerLog.ListenerStarted(_logger, Name, listener.Endpoint);
            }
        }
        catch
        {
            await DisposeListenersAsync().ConfigureAwait(false);
            throw;
        }

        _endpoints = [.. _listeners.Select(listener => listener.Endpoint)];
        _listening = true;
        foreach (var listener in _listeners)
            _acceptLoops.Add(Task.Run(() => AcceptLoopAsync(listener), CancellationToken.None));
    }

    private async Task AcceptLoopAsync(IRpcListener<TBody> listener)
    {
        long transient = 0;
        try
        {
            while (true)
            {
                var (peer, remote) = await listener.AcceptAsync(_stopAccepting.Token).ConfigureAwait(false);
                if (listener.TransientErrorCount is var count && count != transient)
                {
                    transient = count;
                    RpcServerLog.TransientAcceptErrors(_logger, Name, count, listener.Endpoint);
                }

                Serve(peer, remote, listener.Endpoint);
            }
        }
        catch (Exception) when (_stopAccepting.IsCancellationRequested)
        {
            // Stopping: the listener was disposed or the accept cancelled.
        }
        catch (Exception error)
        {
            Interlocked.Increment(ref _failedListeners);
            RpcServerLog.AcceptFailed(_logger, Name, listener.Endpoint, error);
        }
    }

    private void Serve(PeerHandle<TBody> peer, string remote, RpcEndpoint endpoint)
    {
        lock (_connections)
        {
            if (_options.MaxConnections is { } max && _connections.Count >= max)
            {
                RpcServerLog.ConnectionRefused(_logger, Name, remote, max);
                _ = RefuseAsync(peer);
                return;
            }

            var connection = new Connection(peer.CreateCloseHandle(), remote);
            _connections.Add(connection);
            connection.Serving = Task.Run(() => ServeAsync(connection, peer, endpoint), CancellationToken.None);
        }
    }

    // Closed without reading from it: a request it sent fails as a closed connection, never half-served.
    private static async Task RefuseAsync(PeerHandle<TBody> peer)
    {
        await peer.CloseAsync().ConfigureAwait(false);
        await peer.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ServeAsync(Connection connection, PeerHandle<TBody> peer, RpcEndpoint endpoint)
    {
        try
        {
            RpcServerLog.ConnectionAccepted(_logger, Name, connection.Remote, endpoint);
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var server = scope.ServiceProvider.GetRequiredService<TServer>();
                await server.ServeAsync(peer, _stopAccepting.Token, _abort.Token).ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            RpcServerLog.ServeFailed(_logger, Name, connection.Remote, error);
            await RefuseAsync(peer).ConfigureAwait(false); // not served (no server could be made): nothing else releases it
        }
        finally
        {
            var closed = connection.Close.CloseError;
            RpcServerLog.ConnectionClosed(_logger, Name, connection.Remote, closed?.Reason.ToString() ?? "open", closed?.InnerException);
            lock (_connections)
                _connections.Remove(connection);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _listening = false;
        await _stopAccepting.CancelAsync().ConfigureAwait(false);
        await DisposeListenersAsync().ConfigureAwait(false);
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);

        var serving = Serving();
        if (serving.Length == 0)
            return;
        RpcServerLog.Draining(_logger, Name, serving.Length);
        try
        {
            await Task.WhenAll(serving).WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout passed.
        }

        RpcServerLog.ShutdownTimedOut(_logger, Name, OpenConnections);
        await _abort.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(serving).WaitAsync(_options.AbortTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Connection[] left;
            lock (_connections)
                left = [.. _connections];
            RpcServerLog.ConnectionsAborted(_logger, Name, left.Length);
            await Task.WhenAll(left.Select(connection => connection.Close.CloseAsync())).ConfigureAwait(false);
        }
    }

    private Task[] Serving()
    {
        lock (_connections)
            return [.. _connections.Select(connection => connection.Serving!)];
    }

    private async Task DisposeListenersAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            RpcServerLog.ListenerStopped(_logger, Name, listener.Endpoint);
        }

        _listeners.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stopAccepting.CancelAsync().ConfigureAwait(false);
        await _abort.CancelAsync().ConfigureAwait(false);
        await DisposeListenersAsync().ConfigureAwait(false);
        _stopAccepting.Dispose();
        _abort.Dispose();
    }

    /// <summary>One connection being served.</summary>
    private sealed class Connection(PeerCloseHandle close, string remote)
    {
        public PeerCloseHandle Close { get; } = close;

        public string Remote { get; } = remote;

        public Task? Serving { get; set; }
    }
}
