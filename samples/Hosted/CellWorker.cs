using FizyrRpc.Hosting;
using FizyrRpc.Samples.Camera;
using Microsoft.Extensions.Hosting;

namespace FizyrRpc.Samples.Hosted;

/// <summary>
/// The robot cell: records with the injected camera client, restarts the camera server half-way, makes a call while
/// the server is down (it waits for the reconnect), records again, and stops the application. Exit code 0 when every
/// step worked, 1 otherwise.
/// </summary>
public sealed class CellWorker(ICamera camera, RpcClientConnection<ICamera> connection, CameraServerHost servers, IHostApplicationLifetime lifetime)
    : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.StateChanged += (_, change) =>
        {
            Console.WriteLine($"client: {change.Previous} -> {change.Current}");
            if (change.Current == RpcConnectionState.Reconnecting)
                reconnecting.TrySetResult();
        };

        try
        {
            var server = await servers.StartAsync(stoppingToken);
            await RecordAsync(1, 2, stoppingToken);

            Console.WriteLine("server: restarting");
            await server.StopAsync(stoppingToken);
            server.Dispose();
            await reconnecting.Task.WaitAsync(stoppingToken);

            var ping = camera.PingAsync(stoppingToken);   // made while the server is down: waits for the reconnect
            server = await servers.StartAsync(stoppingToken);
            await ping;
            Console.WriteLine("ping during the restart: answered after the reconnect");
            await RecordAsync(3, 4, stoppingToken);

            await server.StopAsync(stoppingToken);
            server.Dispose();
            Console.WriteLine("done");
        }
        catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"failed: {error}");
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task RecordAsync(int first, int last, CancellationToken cancellationToken)
    {
        for (var i = first; i <= last; i++)
        {
            var result = await camera.RecordAsync(new RecordRequest(ExposureMs: 10, Frames: 2), cancellationToken);
            Console.WriteLine($"record {i}: {result.FramesRecorded} frames");
        }
    }
}
