using System.Text;

namespace FizyrRpc;

/// <summary>
/// One connection, as every handle sees it. It puts together the three roles and runs them: the
/// <see cref="PeerRouter{TBody}"/> (the read loop and the incoming queue), the <see cref="PeerWriter{TBody}"/> (the
/// outgoing queue and the write loop) and the <see cref="ConnectionLifetime"/> (handles, close reason, completion),
/// and it carries out a close: the first reason to close wins.
/// </summary>
internal sealed class PeerConnection<TBody> : IConnectionControl
    where TBody : IMessageBody<TBody>
{
    private readonly IPeerTransport<TBody> _transport;
    private readonly ConnectionLifetime _lifetime;
    private readonly PeerRouter<TBody> _router;
    private int _runStarted;

    public PeerConnection(IPeerTransport<TBody> transport, PeerOptions options)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        options = options.Snapshot(); // read live, a change on another thread could stall the loops
        _transport = transport;
        Options = options;
        Budgets = new ConnectionBudgets(options);
        Tracker = new RequestTracker<TBody>(options.MaxOpenReceivedRequests, options.MaxOpenSentRequests, Budgets.RequestBodies);
        _lifetime = new ConnectionLifetime(options.ShutdownTimeout);
        _router = new PeerRouter<TBody>(this, transport, options.IncomingQueueCapacity);
        Writer = new PeerWriter<TBody>(this, transport, options.OutgoingQueueCapacity);
        Diagnostics = new ConnectionDiagnostics(options.LoggerFactory, transport.TransportName, transport.ConnectionInfo);

        // An abort closes the socket before anything else: a pending write then fails, and only after that are its
        // buffers released.
        _lifetime.AbortToken.UnsafeRegister(static state => ((IPeerTransport<TBody>)state!).Abort(), transport);
        (transport as IBudgetedTransport)?.UseReadBudget(Budgets.Incoming);
        Idle = IdleTimer.Create(
            options.IdleTimeout,
            () => Tracker.OpenSentCount + Tracker.OpenReceivedCount > 0,
            () => Close(CloseReason.IdleTimeout, null, graceful: true));
    }

    /// <summary>The byte bounds of this connection.</summary>
    public ConnectionBudgets Budgets { get; }

    /// <summary>The idle timer, or null when <see cref="PeerOptions.IdleTimeout"/> is off.</summary>
    public IdleTimer? Idle { get; }

    public PeerOptions Options { get; }

    public RequestTracker<TBody> Tracker { get; }

    public PeerWriter<TBody> Writer { get; }

    public ConnectionDiagnostics Diagnostics { get; }

    public ConnectionInfo? ConnectionInfo => _transport.ConnectionInfo;

    /// <summary>The transport (for tests that look at its socket).</summary>
    internal IPeerTransport<TBody> Transport => _transport;

    /// <summary>Completes when the connection has ended and its transport is disposed.</summary>
    public Task Completion => _lifetime.Completion;

    /// <summary>Cancelled as soon as the connection starts closing, for any reason.</summary>
    public CancellationToken ClosedToken => _lifetime.ClosingToken;

    /// <summary>Why the connection ended, or null while it is open.</summary>
    public ConnectionClosedException? CloseError => _lifetime.CloseError;

    /// <inheritdoc cref="ConnectionLifetime.NewCloseError"/>
    public ConnectionClosedException NewCloseError() => _lifetime.NewCloseError();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _runStarted, 1) != 0)
        {
            if (CloseError is not null)
            {
                await Completion.ConfigureAwait(false); // a close already started the loops to wind down
                return;
            }

            throw new InvalidOperationException("The peer is already running.");
        }

        using var registration = cancellationToken.Register(
            static state => ((PeerConnection<TBody>)state!).Close(CloseReason.ClosedLocally, null, graceful: true), this);
        Diagnostics.Opened();
        var readLoop = _router.RunAsync(_lifetime.ClosingToken);
        var writeLoop = Writer.RunAsync(_lifetime.AbortToken);
        await readLoop.ConfigureAwait(false);
        await writeLoop.ConfigureAwait(false);

        // The loops end as soon as a close begins; the close itself (failing every open request) may still be running.
        await _lifetime.CloseDone.ConfigureAwait(false);
        try
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Budgets.Detach();
            Diagnostics.Ended(CloseError);
            _lifetime.Complete();
        }
    }

    /// <summary>Starts closing the connection. Graceful: what is queued is still written (within the shutdown timeout).</summary>
    public void Close(CloseReason reason, Exception? cause, bool graceful)
    {
        if (_lifetime.TryBeginClose(reason, cause) is not { } error)
            return;
        try
        {
            Idle?.Dispose();
            Writer.Complete();
            Tracker.FailAll(error);
            _router.Complete(error); // before the abort closes the socket: whoever sees the socket close finds the reason
        }
        finally
        {
            // Last: users' callbacks on ConnectionClosed run inline here, and one that throws must not skip the above.
            _lifetime.EndClose(graceful);
        }

        if (Volatile.Read(ref _runStarted) == 0)
            _ = RunAsync(CancellationToken.None); // never run: still dispose the transport and complete
    }

    public Task CloseAsync()
    {
        Close(CloseReason.ClosedLocally, null, graceful: true);
        return Completion;
    }

    public void AddHandle() => _lifetime.AddHandle();

    /// <summary>Releases one handle that kept the connection alive; the last one closes it.</summary>
    /// <returns>True when this was the last handle.</returns>
    public bool ReleaseHandle()
    {
        if (!_lifetime.ReleaseHandle())
            return false;
        Close(CloseReason.ClosedLocally, null, graceful: true);
        return true;
    }

    /// <summary>The read handle is gone: later requests are answered with an error, streams dropped.</summary>
    public bool ReleaseReadHandle() => _router.ReleaseReadHandle() && ReleaseHandle();

    /// <inheritdoc cref="PeerWriter{TBody}.SendAsync"/>
    public ValueTask SendAsync(Message<TBody> message, CancellationToken cancellationToken) => Writer.SendAsync(message, cancellationToken);

    /// <inheritdoc cref="PeerWriter{TBody}.SendValidatedAsync"/>
    public ValueTask SendValidatedAsync(Message<TBody> message, CancellationToken cancellationToken) =>
        Writer.SendValidatedAsync(message, cancellationToken);

    /// <inheritdoc cref="PeerWriter{TBody}.Validate"/>
    public void Validate(in Message<TBody> message) => Writer.Validate(message);

    /// <inheritdoc cref="PeerWriter{TBody}.SendDetached"/>
    public void SendDetached(Message<TBody> message) => Writer.SendDetached(message);

    /// <summary>From now on requests go to <paramref name="handler"/>, called from the read loop.</summary>
    public RequestHandlerRegistration SetRequestHandler(RequestHandler<TBody> handler, RequestHandlerOptions options)
    {
        var dispatcher = new RequestDispatcher<TBody>(handler, options);
        _router.SetDispatcher(dispatcher);
        return new RequestHandlerRegistration(dispatcher);
    }

    /// <inheritdoc cref="PeerRouter{TBody}.ReceiveAsync"/>
    public ValueTask<PeerRouter<TBody>.IncomingItem> ReceiveAsync(CancellationToken cancellationToken) => _router.ReceiveAsync(cancellationToken);

    public static Message<TBody> ErrorResponse(uint requestId, string text) =>
        new(MessageHeader.ErrorResponse(requestId), TBody.FromBytes(Encoding.UTF8.GetBytes(text)));

    internal static string UnexpectedRequestText(int serviceId) => $"unexpected request for service {serviceId}";
}
