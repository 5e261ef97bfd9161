namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// The tasks still running for a server or a connection, so shutting down can wait for every one of them. A finished
/// task drops out at once: a long-lived connection does not accumulate its past requests.
/// </summary>
internal sealed class RunningTasks
{
    private readonly object _sync = new();
    private readonly HashSet<Task> _tasks = [];

    /// <summary>Tracks <paramref name="task"/> until it finishes. Its exceptions must be handled inside it.</summary>
    public void Add(Task task)
    {
        lock (_sync)
            _tasks.Add(task);
        _ = task.ContinueWith(
            (finished, state) =>
            {
                var self = (RunningTasks)state!;
                lock (self._sync)
                    self._tasks.Remove(finished);
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Completes when every task tracked so far has finished.</summary>
    public Task WhenAllAsync()
    {
        Task[] snapshot;
        lock (_sync)
            snapshot = [.. _tasks];
        return Task.WhenAll(snapshot);
    }
}
