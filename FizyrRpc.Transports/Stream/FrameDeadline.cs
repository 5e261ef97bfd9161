using System.Diagnostics;

namespace FizyrRpc.Transports;

/// <summary>
/// The deadline of the frame being read (<see cref="StreamConfig.FrameTimeout"/>): started when a frame has begun but
/// is not whole, pushed back by one second per <see cref="StreamConfig.MinFrameDataRate"/> bytes of a large body, and
/// ended when the frame is. One token source for the connection's life, made on first need and linked to the read's
/// token; its timer is set only while a frame is incomplete, so whole frames cost nothing here.
/// </summary>
internal sealed class FrameDeadline : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly int _minRate;
    private CancellationTokenSource? _source;
    private CancellationToken _linkedTo;
    private bool _running;
    private long _deadline; // Stopwatch ticks

    public FrameDeadline(TimeSpan timeout, int minRate)
    {
        _timeout = timeout;
        _minRate = minRate;
    }

    public TimeSpan Timeout => _timeout;

    /// <summary>Whether the deadline passed (and cancelled the token it gave out).</summary>
    public bool Expired => _source?.IsCancellationRequested == true && !_linkedTo.IsCancellationRequested;

    /// <summary>Starts the deadline if no frame is timed yet, and returns the token to read with.</summary>
    public CancellationToken Start(CancellationToken cancellationToken)
    {
        if (_timeout == System.Threading.Timeout.InfiniteTimeSpan)
            return cancellationToken;
        if (_source is null || _linkedTo != cancellationToken)
        {
            _source?.Dispose();
            _source = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
                : new CancellationTokenSource();
            _linkedTo = cancellationToken;
            _running = false;
        }

        if (!_running)
        {
            _running = true;
            _deadline = Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
            _source.CancelAfter(_timeout);
        }

        return _source.Token;
    }

    /// <summary><paramref name="bytes"/> of the frame arrived: at the minimum data rate, they buy time.</summary>
    public void Extend(int bytes)
    {
        if (!_running || _minRate == 0)
            return;
        _deadline += bytes * Stopwatch.Frequency / _minRate;
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _deadline);
        if (left > TimeSpan.Zero)
            _source!.CancelAfter(left);
    }

    /// <summary>The frame is whole.</summary>
    public void End()
    {
        if (!_running)
            return;
        _running = false;
        _source!.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _source?.Dispose();
}
