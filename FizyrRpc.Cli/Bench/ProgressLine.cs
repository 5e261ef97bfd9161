using System.Globalization;

namespace FizyrRpc.Cli.Bench;

/// <summary>
/// A progress display for a benchmark: one line on standard error, rewritten in place a few times a second, only when
/// standard error is a terminal (a script's redirected output gets no control characters); cleared at the end.
/// </summary>
internal sealed class ProgressLine : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly Func<long> _completed;
    private readonly long _total;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _width;

    public ProgressLine(Func<long> completed, long total)
    {
        _completed = completed;
        _total = total;
        _running = Console.IsErrorRedirected ? Task.CompletedTask : RunAsync();
    }

    private async Task RunAsync()
    {
        var started = TimeProvider.System.GetTimestamp();
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var done = _completed();
                var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                var text = string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {done}/{_total} requests ({100.0 * done / _total:0}%), {done / Math.Max(seconds, 1e-9):0} requests/s, {seconds:0.0} s");
                Write(text);
            }
        }
        catch (OperationCanceledException)
        {
            // The benchmark ended.
        }
    }

    private void Write(string text)
    {
        Console.Error.Write("\r" + text.PadRight(_width));
        _width = text.Length;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        if (_width > 0)
            Console.Error.Write("\r" + new string(' ', _width) + "\r");
        _stop.Dispose();
    }
}
