using System.Diagnostics;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Hosting;

/// <summary>The conformance sample's server in a child process (<c>dotnet Conformance.dll server ...</c>), killed with SIGKILL when disposed.</summary>
internal sealed class ConformanceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ConformanceProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>What the server printed after "listening on ": "127.0.0.1:PORT" or "unix:PATH".</summary>
    public string Address { get; }

    /// <summary>Starts the server with <paramref name="endpoint"/> (e.g. "--tcp", "127.0.0.1:0") and waits for its "listening on" line.</summary>
    public static async Task<ConformanceProcess> StartAsync(params string[] endpoint)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Conformance.dll"));
        start.ArgumentList.Add("server");
        foreach (var argument in endpoint)
            start.ArgumentList.Add(argument);

        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && text.StartsWith("listening on ", StringComparison.Ordinal))
                listening.TrySetResult(text["listening on ".Length..]);
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The conformance server exited before it listened."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new ConformanceProcess(process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        catch
        {
            await KillAsync(process);
            throw;
        }
    }

    /// <summary>Kills the server (SIGKILL: no goodbye to its connections from the process) and waits for it to exit.</summary>
    public Task KillAsync() => KillAsync(_process);

    private static async Task KillAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await process.WaitForExitAsync().WaitAsync(Loopback.Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
