/// <summary>
/// The receiving side of one-way stream loads: counts messages and keeps their latencies (stamped by the sender, same
/// clock in this process). The server knows how many messages each run sends (the warm-up, then the measured run), so
/// it can tell the client when all of them arrived without a marker in the data.
/// </summary>
internal sealed class OneWayCounter(LoadSpec spec)
{
    private readonly Queue<int> _targets = new([spec.WarmUp().Requests, spec.Requests]);
    private readonly List<long> _latencies = [];
    private int _counted;

    /// <summary>Counts one message; true when it completes a run, and the server should signal the client.</summary>
    public bool Count(long latency)
    {
        lock (_latencies)
        {
            _latencies.Add(latency);
            if (++_counted < _targets.Peek())
                return false;
            _targets.Dequeue();
            _counted = 0;
            return true;
        }
    }

    public long[] TakeLatencies()
    {
        lock (_latencies)
        {
            var taken = _latencies.ToArray();
            _latencies.Clear();
            return taken;
        }
    }
}
