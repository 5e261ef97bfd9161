using System.Diagnostics.Metrics;
using FizyrRpc;

/// <summary>
/// A <see cref="MeterListener"/> on every instrument of the <c>FizyrRpc</c> meter that sums each measurement into a
/// counter per instrument: the cheapest listener that still takes every measurement with its tags, so the engine does
/// all of its work for it (an OpenTelemetry exporter adds its own aggregation on top).
/// </summary>
internal sealed class MetricsSink : IDisposable
{
    private readonly MeterListener _listener = new();
    private double _sum;
    private long _count;

    private MetricsSink()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RpcDiagnostics.MeterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Add(value, tags.Length));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) => Add(value, tags.Length));
    }

    public static MetricsSink Start()
    {
        var sink = new MetricsSink();
        sink._listener.Start();
        return sink;
    }

    private void Add(double value, int tags)
    {
        Interlocked.Increment(ref _count);
        var seen = Volatile.Read(ref _sum);
        while (Interlocked.CompareExchange(ref _sum, seen + value + tags, seen) is var now && now != seen)
            seen = now;
    }

    public void Dispose()
    {
        _listener.Dispose();
        Console.Error.WriteLine($"metrics: {Interlocked.Read(ref _count)} measurements");
    }
}
