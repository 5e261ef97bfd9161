using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace FizyrRpc;

/// <summary>
/// Calls a connection's request handler for each request straight from the read loop (no incoming queue, no user read
/// loop between): on the loop itself until the handler's first pending await, or queued to the thread pool when inline
/// handlers are off. At most <see cref="RequestHandlerOptions.MaxConcurrentHandlers"/> run at once; at the bound the
/// read loop waits for one to complete, which stops reading the socket (backpressure). Nothing is allocated per
/// request: the invocations are pooled (internal, and each lives only until its handler's task has completed).
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
internal sealed class RequestDispatcher<TBody> : IRequestDispatch
    where TBody : IMessageBody<TBody>
{
    private const int MaxPooled = 64;

    private readonly RequestHandler<TBody> _handler;
    private readonly int _maxConcurrent;
    private readonly bool _inline;
    private readonly ExecutionContext? _executionContext;
    private readonly Stack<Invocation> _pool = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _slotFreed;
    private ExceptionDispatchInfo? _fault;
    private int _running;
    private int _closed;

    public RequestDispatcher(RequestHandler<TBody> handler, RequestHandlerOptions options)
    {
        _handler = handler;
        _maxConcurrent = options.MaxConcurrentHandlers;
        _inline = options.PreferInlineHandlers;

        // Handlers run in the execution context of the code that set them (AsyncLocal values such as logging scopes),
        // not in the read loop's; captured once.
        _executionContext = ExecutionContext.Capture();
    }

    public int Running => Volatile.Read(ref _running);

    public async Task WhenDoneAsync()
    {
        await _done.Task.ConfigureAwait(false);
        _fault?.Throw();
    }

    /// <summary>Hands a registered request to the handler; waits first while the bound is reached.</summary>
    public ValueTask DispatchAsync(ReceivedRequest<TBody> request, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _running) < _maxConcurrent)
        {
            Start(request);
            return default;
        }

        return DispatchWhenFreeAsync(request, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DispatchWhenFreeAsync(ReceivedRequest<TBody> request, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var freed = WhenSlotFreed();
                if (Volatile.Read(ref _running) < _maxConcurrent)
                    break;
                await freed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            request.Reject(PeerConnection<TBody>.UnexpectedRequestText(request.ServiceId)); // closing: nobody will handle it
            throw;
        }

        Start(request);
    }

    private Task WhenSlotFreed()
    {
        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _slotFreed, fresh, null) ?? fresh).Task;
    }

    /// <summary>No further request will be dispatched (the read handle is gone or the connection is closing).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0 && Volatile.Read(ref _running) == 0)
            _done.TrySetResult();
    }

    private void Start(ReceivedRequest<TBody> request)
    {
        Interlocked.Increment(ref _running);
        if (Volatile.Read(ref _closed) != 0)
        {
            // Closed between the router's check and here: answered at once, as every request after the close is.
            request.Reject(PeerConnection<TBody>.UnexpectedRequestText(request.ServiceId));
            Exit();
            return;
        }

        var invocation = Rent();
        invocation.Request = request;
        if (_inline)
            invocation.Execute();
        else
            ThreadPool.UnsafeQueueUserWorkItem(invocation, preferLocal: false);
    }

    private void Exit()
    {
        var running = Interlocked.Decrement(ref _running);
        Interlocked.Exchange(ref _slotFreed, null)?.TrySetResult();
        if (running == 0 && Volatile.Read(ref _closed) != 0)
            _done.TrySetResult();
    }

    private Invocation Rent()
    {
        lock (_pool)
        {
            if (_pool.TryPop(out var item))
                return item;
        }

        return new Invocation(this);
    }

    private void Return(Invocation item)
    {
        lock (_pool)
        {
            if (_pool.Count < MaxPooled)
                _pool.Push(item);
        }
    }

    /// <summary>One handler call: run (inline or as a work item) and finished by a cached callback when it completes later.</summary>
    private sealed class Invocation : IThreadPoolWorkItem
    {
        private static readonly ContextCallback RunInContext = static state => ((Invocation)state!).Run();

        private readonly RequestDispatcher<TBody> _dispatcher;
        private readonly Action _onHandled;
        private ReceivedRequest<TBody>? _handled;
        private ValueTask _handling;

        public Invocation(RequestDispatcher<TBody> dispatcher)
        {
            _dispatcher = dispatcher;
            _onHandled = OnHandled;
        }

        public ReceivedRequest<TBody>? Request { get; set; }

        public void Execute()
        {
            if (_dispatcher._executionContext is { } context)
                ExecutionContext.Run(context, RunInContext, this);
            else
                Run();
        }

        private void Run()
        {
            var request = Request!;
            Request = null;
            _handled = request;
            try
            {
                _handling = _dispatcher._handler(request);
            }
            catch (Exception error)
            {
                _handling = ValueTask.FromException(error);
            }

            // A handler still running returns here at its first pending await: the rest of it runs where that await
            // resumes (the thread pool), and the read loop goes on.
            if (_handling.IsCompleted)
                OnHandled();
            else
                _handling.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onHandled);
        }

        private void OnHandled()
        {
            var handling = _handling;
            var request = _handled!;
            _handling = default;
            _handled = null;
            try
            {
                handling.GetAwaiter().GetResult();
            }
            catch (Exception error)
            {
                request.Dispose(); // the remote gets an error response, unless the handler answered before it threw
                Interlocked.CompareExchange(ref _dispatcher._fault, ExceptionDispatchInfo.Capture(error), null);
            }

            var dispatcher = _dispatcher;
            dispatcher.Return(this);
            dispatcher.Exit();
        }
    }
}
