using System.Diagnostics;
using System.Globalization;
using System.Reflection;

/// <summary>
/// Server and client in two processes: this program starts itself as a child that runs only the server side of the
/// scenario, and talks to it over stdin/stdout: "ready ADDRESS" once it listens, "mark" (answered "marked") before the
/// measured run, and "stop" or stdin closed: the child waits for its connections to end, prints "cost CPU-µs BYTES"
/// (its CPU time and allocations since the mark) and exits. The parent adds that cost to its own.
/// </summary>
internal sealed class TwoProcess : ILoadServer
{
    public const string ChildCommand = "serve-child";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Process _child;

    private TwoProcess(Process child, string address)
    {
        _child = child;
        Address = address;
    }

    public string Address { get; }

    public static async Task<ILoadServer> StartServerAsync(string scenario, LoadSpec spec, string path)
    {
        string[] childArgs =
        [
            ChildCommand, scenario, spec.Mode.ToString(), Invariant(spec.InFlight), Invariant(spec.Requests), Invariant(spec.BodySize),
            Invariant(spec.Connections), path,
        ];
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // Run through `dotnet LoadGenerator.dll`, the child needs the assembly as its first argument too.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in childArgs)
            start.ArgumentList.Add(arg);

        var child = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
        try
        {
            var ready = await child.StandardOutput.ReadLineAsync().WaitAsync(Patience);
            if (ready is null || !ready.StartsWith("ready ", StringComparison.Ordinal))
                throw new InvalidOperationException($"The server process did not get ready: '{ready}'.");
            return new TwoProcess(child, ready["ready ".Length..]);
        }
        catch
        {
            await KillAsync(child);
            throw;
        }
    }

    public async Task MarkAsync()
    {
        await _child.StandardInput.WriteLineAsync("mark");
        await _child.StandardInput.FlushAsync();
        var answer = await _child.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        if (answer != "marked")
            throw new InvalidOperationException($"The server process did not mark: '{answer}'.");
    }

    public long[] TakeOneWayLatencies() => [];

    public async Task<ServerCost> StopAsync()
    {
        try
        {
            _child.StandardInput.Close();
            var cost = await _child.StandardOutput.ReadLineAsync().WaitAsync(Patience);
            var parts = cost?.Split(' ');
            if (parts is not ["cost", var cpu, var allocated])
                throw new InvalidOperationException($"The server process did not report its cost: '{cost}'.");
            await _child.WaitForExitAsync().WaitAsync(Patience);
            return new ServerCost(double.Parse(cpu, CultureInfo.InvariantCulture), long.Parse(allocated, CultureInfo.InvariantCulture));
        }
        finally
        {
            await KillAsync(_child);
        }
    }

    /// <summary>The child's side: serves until stdin says stop or closes, then reports its cost since the mark.</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        if (args is not [ChildCommand, var scenario, var mode, var inFlight, var requests, var bodySize, var connections, var path])
            throw new ArgumentException($"Usage: {ChildCommand} scenario mode in-flight requests body connections path.", nameof(args));
        var spec = new LoadSpec(Enum.Parse<LoadMode>(mode), Parse(inFlight), Parse(requests), Parse(bodySize), Parse(connections));
        var server = await Scenarios.StartServerAsync(ScenarioName.Parse(scenario), spec, path);
        Console.WriteLine($"ready {server.Address}");
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Environment.CpuUsage.TotalTime;
        while (await Console.In.ReadLineAsync() is { } line && line != "stop")
        {
            if (line == "mark")
            {
                allocated = GC.GetTotalAllocatedBytes(precise: true);
                cpu = Environment.CpuUsage.TotalTime;
                Console.WriteLine("marked");
            }
        }

        // The parent closes its connections before it stops us: the serve loops end on their own.
        await server.StopAsync();
        var spentCpu = (Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds;
        var spentBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cost {spentCpu:F0} {spentBytes}"));
        return 0;
    }

    private static async Task KillAsync(Process child)
    {
        using (child)
        {
            if (!child.HasExited)
                child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Parse(string value) => int.Parse(value, CultureInfo.InvariantCulture);
}
