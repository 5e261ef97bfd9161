using FizyrRpc.Hosting;
using FizyrRpc.Samples.Camera;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FizyrRpc.Samples.Hosted;

/// <summary>Starts the camera server as its own Generic Host, as a separate server program's Program.cs would.</summary>
/// <param name="endpoint">Where it listens.</param>
public sealed class CameraServerHost(string endpoint)
{
    /// <summary>Builds and starts a server host; stop and dispose it to take the server down.</summary>
    public async Task<IHost> StartAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration["CameraServer:Endpoints:0"] = endpoint;
        builder.Services.AddFizyrRpcServer<CameraServer>().BindConfiguration("CameraServer");
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var listening = host.Services.GetRequiredService<RpcServerHost<CameraServer>>().Endpoints;
        Console.WriteLine($"server: listening on {string.Join(", ", listening)}");
        return host;
    }
}
