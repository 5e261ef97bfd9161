using FizyrRpc;
using FizyrRpc.Hosting;
using FizyrRpc.Samples.Camera;
using FizyrRpc.Samples.Hosted;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// A robot cell as a Generic Host: its worker uses the ICamera client from DI. The camera server runs as a second
// Generic Host in the same process, on a Unix socket in a temp folder, and is restarted half-way: the client reconnects.
var folder = Directory.CreateTempSubdirectory("fizyr-hosted-");
try
{
    var endpoint = $"unix-stream:{Path.Combine(folder.FullName, "camera.sock")}";
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration["Camera:Endpoint"] = endpoint;   // the rest of "Camera" comes from appsettings.json
    builder.Services.AddFizyrRpcClient<ICamera>(connection => new ICamera.Client(connection)).BindConfiguration("Camera");
    builder.Services.AddSingleton(new CameraServerHost(endpoint));
    builder.Services.AddHostedService<CellWorker>();

    // FizyrRpc's metrics and spans (both hosts of this process: the meter and the activity source are process-wide),
    // to the console: each span as it ends, the metrics when the host stops.
    builder.Services.AddOpenTelemetry()
        .WithMetrics(metrics => metrics.AddMeter(RpcDiagnostics.MeterName).AddConsoleExporter())
        .WithTracing(tracing => tracing.AddSource(RpcDiagnostics.ActivitySourceName).AddConsoleExporter());
    await builder.Build().RunAsync();
}
finally
{
    folder.Delete(recursive: true);
}
