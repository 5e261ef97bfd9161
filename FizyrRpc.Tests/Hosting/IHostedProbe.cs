using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Hosting;

/// <summary>What the hosting tests serve: who served a call, a call that waits for the test, and a call that fails.</summary>
[RpcService]
public partial interface IHostedProbe
{
    /// <summary>The ID of the DI scope (so the connection) that served the call.</summary>
    [Service(1)]
    Task<string> WhoAsync(CancellationToken cancellationToken = default);

    /// <summary>Waits until the test opens the gate (or the handler is cancelled), then answers the tag.</summary>
    [Service(2)]
    Task<int> HoldAsync(int tag, CancellationToken cancellationToken = default);

    /// <summary>Throws with the message.</summary>
    [Service(3)]
    Task FailAsync(string message, CancellationToken cancellationToken = default);

    /// <summary>Waits until the test opens the gate, ignoring cancellation (a handler that does not cooperate).</summary>
    [Service(4)]
    Task<int> StubbornAsync(int tag, CancellationToken cancellationToken = default);
}

/// <summary>A scoped dependency: one per connection, disposed with it.</summary>
public sealed class ConnectionScope(ProbeState state) : IAsyncDisposable
{
    public string Id { get; } = Guid.NewGuid().ToString("N");

    public ValueTask DisposeAsync()
    {
        state.ScopeDisposed(Id);
        return default;
    }
}

/// <summary>What the tests watch and steer, shared by every connection (a singleton).</summary>
public sealed class ProbeState
{
    private readonly Lock _gate = new();
    private readonly List<string> _disposed = [];
    private readonly Dictionary<string, TaskCompletionSource> _disposedWaits = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _enteredWaits = [];
    private int _entered;

    /// <summary>Opened by the test: every Hold answers.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many Hold handlers were cancelled.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    private int _cancelled;

    public IReadOnlyList<string> DisposedScopes
    {
        get
        {
            lock (_gate)
                return [.. _disposed];
        }
    }

    public void ScopeDisposed(string id)
    {
        lock (_gate)
        {
            _disposed.Add(id);
            if (_disposedWaits.Remove(id, out var wait))
                wait.TrySetResult();
        }
    }

    /// <summary>Completes when the scope <paramref name="id"/> has been disposed.</summary>
    public Task ScopeDisposedAsync(string id)
    {
        lock (_gate)
        {
            if (_disposed.Contains(id))
                return Task.CompletedTask;
            var wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _disposedWaits[id] = wait;
            return wait.Task;
        }
    }

    public void Entered()
    {
        lock (_gate)
        {
            _entered++;
            foreach (var (count, done) in _enteredWaits)
            {
                if (_entered >= count)
                    done.TrySetResult();
            }
        }
    }

    public void HandlerCancelled() => Interlocked.Increment(ref _cancelled);

    /// <summary>Completes when <paramref name="count"/> Hold handlers have started.</summary>
    public Task EnteredAsync(int count)
    {
        lock (_gate)
        {
            if (_entered >= count)
                return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _enteredWaits.Add((count, done));
            return done.Task;
        }
    }
}

/// <summary>The hosted server: takes a scoped and a singleton dependency, as a real handler would.</summary>
public sealed class ProbeServer(ConnectionScope scope, ProbeState state) : IHostedProbe.ServerBase
{
    protected override Task<string> WhoAsync(WhoContext context) => Task.FromResult(scope.Id);

    protected override async Task<int> HoldAsync(int tag, HoldContext context)
    {
        state.Entered();
        try
        {
            await state.Release.Task.WaitAsync(context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            state.HandlerCancelled();
            throw;
        }

        return tag;
    }

    protected override Task FailAsync(string message, FailContext context) => throw new InvalidOperationException(message);

    protected override async Task<int> StubbornAsync(int tag, StubbornContext context)
    {
        state.Entered();
        await state.Release.Task;
        return tag;
    }
}

/// <summary>The probe over Unix seqpacket (<see cref="UnixBody"/>): Who answers its scope's ID, the rest at once.</summary>
public sealed class SeqpacketProbeServer(ConnectionScope scope) : IHostedProbe.ServerBase<UnixBody>
{
    protected override Task<string> WhoAsync(WhoContext context) => Task.FromResult(scope.Id);

    protected override Task<int> HoldAsync(int tag, HoldContext context) => Task.FromResult(tag);

    protected override Task FailAsync(string message, FailContext context) => throw new InvalidOperationException(message);

    protected override Task<int> StubbornAsync(int tag, StubbornContext context) => Task.FromResult(tag);
}
