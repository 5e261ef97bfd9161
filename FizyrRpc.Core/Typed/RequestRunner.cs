using System.Runtime.ExceptionServices;

namespace FizyrRpc;

/// <summary>
/// Runs a server's request handlers off its read loop, one thread-pool work item per request, and knows when the last
/// one has finished. Nothing per request is allocated here: the work items are pooled. That is safe because a work item
/// is internal and lives only from queueing until its handling has completed; what user code sees (the request handle,
/// the <see cref="RpcRequestContext{TBody}"/>, the typed contexts) is never pooled, so a handler may keep it after it
/// returns.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
internal sealed class RequestRunner<TBody>
    where TBody : IMessageBody<TBody>
{
    // Enough for the requests one connection usually has in flight; beyond it, items are left to the GC.
    private const int MaxPooled = 64;

    private readonly RpcServerBase<TBody> _server;
    private readonly PeerWriteHandle<TBody> _write;
    private readonly CancellationToken _cancellationToken;
    private readonly ExecutionContext? _executionContext;
    private readonly Stack<WorkItem> _pool = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ExceptionDispatchInfo? _fault;

    // The read loop holds one count until it calls DrainAsync, so reaching zero means "done and nothing running".
    private int _running = 1;

    public RequestRunner(RpcServerBase<TBody> server, PeerWriteHandle<TBody> write, CancellationToken cancellationToken)
    {
        _server = server;
        _write = write;
        _cancellationToken = cancellationToken;

        // Handlers run in the caller's execution context (AsyncLocal values, e.g. logging scopes), as they did when
        // each one was a task started from the read loop; captured once, not per request.
        _executionContext = ExecutionContext.Capture();
    }

    /// <summary>Queues the handling of <paramref name="request"/>; it never runs on the caller's thread.</summary>
    public void Start(ReceivedRequest<TBody> request)
    {
        Interlocked.Increment(ref _running);
        var item = Rent();
        item.Request = request;
        ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
    }

    /// <summary>Called once by the read loop when it stops: completes when every handler has finished.</summary>
    /// <exception cref="Exception">The first exception that escaped a handler's error handling (a throwing hook).</exception>
    public async Task DrainAsync()
    {
        Release();
        await _drained.Task.ConfigureAwait(false);
        _fault?.Throw();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _running) == 0)
            _drained.TrySetResult();
    }

    private WorkItem Rent()
    {
        lock (_pool)
        {
            if (_pool.TryPop(out var item))
                return item;
        }

        return new WorkItem(this);
    }

    private void Return(WorkItem item)
    {
        lock (_pool)
        {
            if (_pool.Count < MaxPooled)
                _pool.Push(item);
        }
    }

    /// <summary>One request's handling: queued, run, and (when the handler completes later) finished by a cached callback.</summary>
    private sealed class WorkItem : IThreadPoolWorkItem
    {
        private static readonly ContextCallback RunInContext = static state => ((WorkItem)state!).Run();

        private readonly RequestRunner<TBody> _runner;
        private readonly Action _onHandled;
        private ValueTask _handling;

        public WorkItem(RequestRunner<TBody> runner)
        {
            _runner = runner;
            _onHandled = OnHandled;
        }

        public ReceivedRequest<TBody>? Request { get; set; }

        public void Execute()
        {
            if (_runner._executionContext is { } context)
                ExecutionContext.Run(context, RunInContext, this);
            else
                Run();
        }

        private void Run()
        {
            var request = Request!;
            Request = null;
            try
            {
                _handling = _runner._server.HandleAsync(request, _runner._write, _runner._cancellationToken);
            }
            catch (Exception error)
            {
                _handling = ValueTask.FromException(error);
            }

            if (_handling.IsCompleted)
                OnHandled();
            else
                _handling.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onHandled);
        }

        private void OnHandled()
        {
            var handling = _handling;
            _handling = default;
            try
            {
                handling.GetAwaiter().GetResult();
            }
            catch (Exception error)
            {
                Interlocked.CompareExchange(ref _runner._fault, ExceptionDispatchInfo.Capture(error), null);
            }

            // Back to the pool before the count drops, so a drained runner holds every item it made.
            var runner = _runner;
            runner.Return(this);
            runner.Release();
        }
    }
}
