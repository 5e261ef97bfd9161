using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Threading.Channels;

namespace FizyrRpc.Benchmarks.Reliability;

/// <summary>What the suite reads about the server at one moment: from /proc, and the managed heap from the child itself.</summary>
/// <param name="Rss">Resident set size (VmRSS).</param>
/// <param name="RssPeak">The largest resident set size since the process started (VmHWM).</param>
/// <param name="Descriptors">Open descriptors (entries of /proc/PID/fd), not counting the runtime's assembly and symbol files.</param>
/// <param name="HeapLive">Managed heap after a full collection; -1 when the child did not answer.</param>
/// <param name="HeapPeak">The largest managed heap sampled since the previous reading; -1 when the child did not answer.</param>
internal sealed record ServerReading(long Rss, long RssPeak, int Descriptors, long HeapLive, long HeapPeak);

/// <summary>
/// The server under attack: the conformance sample's server in a child process (<see cref="ServeMode"/>), optionally
/// under a GC heap hard limit, so its memory and descriptors are its own and a crash takes only it down.
/// </summary>
internal sealed class ServerChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stats = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource<IPEndPoint> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _lastErrors = new();
    private long _errorLines;

    private ServerChild(Process process)
    {
        _process = process;
    }

    /// <summary>The address the server listens on.</summary>
    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>The child's process ID.</summary>
    public int Pid => _process.Id;

    /// <summary>How many lines the server wrote to standard error (one per broken connection, and any crash).</summary>
    public long ErrorLines => Interlocked.Read(ref _errorLines);

    /// <summary>The last few lines of standard error (a crash's reason is there).</summary>
    public string LastErrors
    {
        get
        {
            lock (_lastErrors)
                return string.Join(" | ", _lastErrors);
        }
    }

    /// <summary>Whether the process still runs.</summary>
    public bool IsAlive => !_process.HasExited;

    /// <summary>The exit code, once it has exited.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Starts the server on a free loopback port and waits for its "listening on" line.</summary>
    public static async Task<ServerChild> StartAsync(string? heapHardLimit, TimeSpan? frameTimeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(ServerChild).Assembly.Location);
        start.ArgumentList.Add(ServeMode.Command);
        start.ArgumentList.Add("--tcp");
        start.ArgumentList.Add("127.0.0.1:0");
        if (heapHardLimit is not null)
            start.Environment["DOTNET_GCHeapHardLimit"] = heapHardLimit;
        if (frameTimeout is { } frame)
            start.Environment[ServeMode.FrameTimeoutVariable] = ((int)frame.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var child = new ServerChild(Process.Start(start) ?? throw new InvalidOperationException("could not start the server"));
        _ = child.ReadOutputAsync();
        _ = child.ReadErrorsAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            child.EndPoint = await child._listening.Task.WaitAsync(timeout.Token);
        }
        catch (Exception)
        {
            await child.DisposeAsync();
            throw new InvalidOperationException($"the server never said where it listens: {child.LastErrors}");
        }

        return child;
    }

    /// <summary>Reads /proc and asks the child for its heap figures (at most 30 s; -1 if it does not answer).</summary>
    public async Task<ServerReading> ReadAsync()
    {
        long live = -1, peak = -1;
        if (IsAlive)
        {
            try
            {
                await _process.StandardInput.WriteLineAsync("stats");
                await _process.StandardInput.FlushAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var line = await _stats.Reader.ReadAsync(timeout.Token);
                live = Field(line, "live");
                peak = Field(line, "peak");
            }
            catch (Exception error) when (error is IOException or OperationCanceledException or ChannelClosedException)
            {
            }
        }

        var (rss, hwm) = ReadMemory();
        return new ServerReading(rss, hwm, CountDescriptors(), live, peak);
    }

    /// <summary>
    /// The server's open descriptors now, or -1 when it has gone; not counting the assembly and symbol files the
    /// runtime opens once, when it first needs them (a first exception's stack trace loads several).
    /// </summary>
    public int CountDescriptors()
    {
        if (!Directory.Exists($"/proc/{Pid}/fd"))
            return -1;
        return DescriptorKinds().Where(kind => !IsRuntimeFile(kind.Key)).Sum(kind => kind.Value);
    }

    /// <summary>Whether a descriptor kind is a file the runtime loads code or symbols from.</summary>
    public static bool IsRuntimeFile(string kind) =>
        kind.EndsWith(".dll", StringComparison.Ordinal) || kind.EndsWith(".pdb", StringComparison.Ordinal) || kind.EndsWith(".so", StringComparison.Ordinal);

    /// <summary>The server's open descriptors by kind (socket, pipe, anon_inode:[eventpoll], a file's path, ...).</summary>
    public Dictionary<string, int> DescriptorKinds()
    {
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var fd in Directory.GetFileSystemEntries($"/proc/{Pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget ?? "?";
                var kind = target.StartsWith("socket:", StringComparison.Ordinal) ? "socket"
                    : target.StartsWith("pipe:", StringComparison.Ordinal) ? "pipe"
                    : target;
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }

        return kinds;
    }

    /// <summary>The CPU time the server has used, in clock ticks (utime + stime), or -1 when it has gone.</summary>
    public long CpuTicks()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception error) when (error is IOException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Waits until the server has (nearly) stopped using CPU for a second, so a reading sees what an attack left behind
    /// rather than work in progress; gives up after <paramref name="limit"/>. Decides when to measure, never a result.
    /// </summary>
    public async Task WaitQuietAsync(TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        var last = CpuTicks();
        while (deadline.Elapsed < limit && IsAlive)
        {
            await Task.Delay(1000);
            var now = CpuTicks();
            if (now < 0 || now - last <= 15) // at most 15% of a core over the second (the canary's echoes and the runtime's own)
                return;
            last = now;
        }
    }

    /// <summary>
    /// Sends SIGTERM, as the sample is stopped, and waits up to <paramref name="limit"/> for it to end.
    /// Returns the time it took, or null if it did not end (it is then killed).
    /// </summary>
    public async Task<TimeSpan?> TerminateAsync(TimeSpan limit)
    {
        if (!IsAlive)
            return null;
        var time = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]))
            await kill!.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return time.Elapsed;
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (IsAlive)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private (long Rss, long Peak) ReadMemory()
    {
        long rss = -1, peak = -1;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = Kilobytes(line) * 1024;
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    peak = Kilobytes(line) * 1024;
            }
        }
        catch (IOException)
        {
        }

        return (rss, peak);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static long Field(string line, string name)
    {
        foreach (var part in line.Split(' '))
        {
            if (part.StartsWith(name + "=", StringComparison.Ordinal))
                return long.Parse(part[(name.Length + 1)..], CultureInfo.InvariantCulture);
        }

        return -1;
    }

    private async Task ReadOutputAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("listening on ", StringComparison.Ordinal))
                _listening.TrySetResult(IPEndPoint.Parse(line["listening on ".Length..].Replace("tcp:", "", StringComparison.Ordinal)));
            else if (line.StartsWith("stats ", StringComparison.Ordinal))
                _stats.Writer.TryWrite(line);
        }

        _listening.TrySetException(new IOException("the server ended"));
        _stats.Writer.TryComplete();
    }

    private async Task ReadErrorsAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            Interlocked.Increment(ref _errorLines);
            lock (_lastErrors)
            {
                _lastErrors.Enqueue(line.Length > 200 ? line[..200] : line);
                if (_lastErrors.Count > 3)
                    _lastErrors.Dequeue();
            }
        }
    }
}
