namespace FizyrRpc;

/// <summary>
/// Closes a connection that stayed idle for <see cref="PeerOptions.IdleTimeout"/>: no message read or written, and no
/// request open either way (a long call with nothing on the wire is not idle). Activity is a time stamp written per
/// message; the one timer looks at it only when it fires, so a busy connection costs no timer work per message.
/// </summary>
internal sealed class IdleTimer : IDisposable
{
    private readonly long _timeoutMs;
    private readonly Func<bool> _busy;
    private readonly Action _expire;
    private readonly Timer _timer;
    private long _lastActivity;

    private IdleTimer(TimeSpan timeout, Func<bool> busy, Action expire)
    {
        _timeoutMs = (long)timeout.TotalMilliseconds;
        _busy = busy;
        _expire = expire;
        _lastActivity = Environment.TickCount64;
        _timer = new Timer(static state => ((IdleTimer)state!).OnTick(), this, Timeout.Infinite, Timeout.Infinite);
        _timer.Change(_timeoutMs, Timeout.Infinite);
    }

    /// <summary>A timer for <paramref name="timeout"/>, or null when it is infinite (off).</summary>
    public static IdleTimer? Create(TimeSpan timeout, Func<bool> busy, Action expire) =>
        timeout == Timeout.InfiniteTimeSpan ? null : new IdleTimer(timeout, busy, expire);

    /// <summary>Something moved on the connection.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, Environment.TickCount64);

    private void OnTick()
    {
        var idleFor = Environment.TickCount64 - Volatile.Read(ref _lastActivity);
        if (idleFor < _timeoutMs)
        {
            Change(_timeoutMs - idleFor);
            return;
        }

        if (_busy())
        {
            Touch();
            Change(_timeoutMs);
            return;
        }

        _expire();
    }

    private void Change(long dueMs)
    {
        try
        {
            _timer.Change(dueMs, Timeout.Infinite);
        }
        catch (ObjectDisposedException)
        {
            // The connection closed meanwhile.
        }
    }

    public void Dispose() => _timer.Dispose();
}
