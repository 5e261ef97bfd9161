using System.Diagnostics;
using System.Reflection;
using System.Threading.Channels;

namespace FizyrRpc.Tests.Cli;

/// <summary>What one run of the tool gave: its exit code, its standard output as lines, its standard error.</summary>
public sealed record CliResult(int ExitCode, string[] Lines, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{string.Join('\n', Lines)}\nstderr:\n{Error}";
}

/// <summary>
/// The fizyr-rpc tool as a user gets it: packed with <c>dotnet pack</c> into a temp folder, installed from that folder
/// with <c>dotnet tool install --tool-path</c> into another, restored into a fresh NUGET_PACKAGES so that no cached
/// copy stands in. Done once per test run, on first use; the temp folder is removed when the run ends.
/// </summary>
public static class CliTool
{
    /// <summary>How long one run of the tool may take before it counts as a hang.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    /// <summary>The installed command.</summary>
    public static Task<string> PathAsync() => Installed.Value;

    private static string Metadata(string key) =>
        typeof(CliTool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static async Task<string> InstallAsync()
    {
        var root = Directory.CreateTempSubdirectory("fizyr-cli-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        var packages = Path.Combine(root, "packages");
        var tools = Path.Combine(root, "tools");
        var project = Path.Combine(Metadata("RepositoryRoot"), "FizyrRpc.Cli", "FizyrRpc.Cli.csproj");

        // From the build under test (quick, and nothing is rebuilt while tests run); built here when there is none.
        if (!await TryRunDotnetAsync(null, "pack", project, "-c", Metadata("Configuration"), "--no-build", "-o", packages))
            await RunDotnetAsync(null, "pack", project, "-c", Metadata("Configuration"), "-o", packages);
        var package = Directory.GetFiles(packages, "FizyrRpc.Cli.*.nupkg").Single();
        var version = Path.GetFileNameWithoutExtension(package)["FizyrRpc.Cli.".Length..];
        await RunDotnetAsync(
            Path.Combine(root, "nuget-packages"),
            "tool", "install", "FizyrRpc.Cli", "--version", version, "--tool-path", tools, "--add-source", packages);
        var command = Path.Combine(tools, "fizyr-rpc");
        Assert.That(File.Exists(command), $"dotnet tool install made no {command}");
        return command;
    }

    private static async Task RunDotnetAsync(string? nugetPackages, params string[] args)
    {
        var (exitCode, output) = await DotnetAsync(nugetPackages, args);
        if (exitCode != 0)
            Assert.Fail($"dotnet {string.Join(' ', args)} failed with {exitCode}:\n{output}");
    }

    private static async Task<bool> TryRunDotnetAsync(string? nugetPackages, params string[] args) =>
        (await DotnetAsync(nugetPackages, args)).ExitCode == 0;

    private static async Task<(int ExitCode, string Output)> DotnetAsync(string? nugetPackages, string[] args)
    {
        var start = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The test host's own MSBuild settings must not leak into the build the tool is packed with.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        if (nugetPackages is not null)
            start.Environment["NUGET_PACKAGES"] = nugetPackages;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + "\n" + await error);
    }

    /// <summary>Runs the tool to its end.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(await PathAsync(), args))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(RunTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(process.ExitCode, (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries), await error);
    }

    /// <summary>Starts a command that runs until it is stopped (listen, tap).</summary>
    public static async Task<CliProcess> StartAsync(params string[] args) => new(Process.Start(StartInfo(await PathAsync(), args))!);

    private static ProcessStartInfo StartInfo(string command, string[] args) =>
        new(command, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
}

/// <summary>A running tool: its output line by line as it comes, and a stop with Ctrl+C (SIGINT) as a user would.</summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = [];
    private readonly Task<string> _error;
    private readonly Task _reading;

    internal CliProcess(Process process)
    {
        _process = process;
        _error = process.StandardError.ReadToEndAsync();
        _reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_all)
                    _all.Add(line);
                _lines.Writer.TryWrite(line);
            }

            _lines.Writer.TryComplete();
        });
    }

    /// <summary>The next line of standard output.</summary>
    public async Task<string> NextLineAsync()
    {
        using var timeout = new CancellationTokenSource(CliTool.RunTimeout);
        try
        {
            return await _lines.Reader.ReadAsync(timeout.Token);
        }
        catch (ChannelClosedException)
        {
            Assert.Fail($"the tool ended without the expected line: exit {_process.ExitCode}\n{await _error}");
            throw;
        }
    }

    /// <summary>The address of the "listening on ADDRESS" line, the first of listen and tap.</summary>
    public async Task<string> ListeningAddressAsync()
    {
        var line = await NextLineAsync();
        Assert.That(line, Does.StartWith("listening on "));
        return line["listening on ".Length..];
    }

    /// <summary>Sends SIGINT, waits for the end, and returns the whole run (every line, including those already read).</summary>
    public async Task<CliResult> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(CliTool.RunTimeout);
        await _reading.WaitAsync(CliTool.RunTimeout);
        var error = await _error.WaitAsync(CliTool.RunTimeout);
        lock (_all)
            return new CliResult(_process.ExitCode, [.. _all], error);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
