using FizyrRpc.Hosting;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FizyrRpc.Tests.Hosting;

/// <summary>Real Generic Hosts for the hosting tests: configuration from memory, FakeLogger collecting every event from Debug up.</summary>
internal static class HostedTest
{
    /// <summary>An empty host builder with <paramref name="settings"/> as its configuration and fake logging.</summary>
    public static HostApplicationBuilder Builder(params (string Key, string? Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(setting => KeyValuePair.Create(setting.Key, setting.Value)));
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddFakeLogging();
        return builder;
    }

    /// <summary>A builder serving <see cref="ProbeServer"/> on <paramref name="endpoint"/> (section "Probe").</summary>
    public static HostApplicationBuilder ServerBuilder(string endpoint = "tcp:127.0.0.1:0", params (string Key, string? Value)[] settings)
    {
        var builder = Builder([("Probe:Endpoints:0", endpoint), .. settings]);
        AddProbeServer(builder.Services);
        return builder;
    }

    public static void AddProbeServer(IServiceCollection services)
    {
        services.AddSingleton<ProbeState>();
        services.AddScoped<ConnectionScope>();
        services.AddFizyrRpcServer<ProbeServer>().BindConfiguration("Probe");
    }

    /// <summary>Registers the probe's hosted client (section "Client").</summary>
    public static void AddProbeClient(IServiceCollection services) =>
        services.AddFizyrRpcClient<IHostedProbe>(connection => new IHostedProbe.Client(connection)).BindConfiguration("Client");

    /// <summary>Builds and starts the host.</summary>
    public static async Task<IHost> StartAsync(HostApplicationBuilder builder)
    {
        var host = builder.Build();
        await host.StartAsync().WaitAsync(Loopback.Timeout);
        return host;
    }

    /// <summary>The first endpoint the probe server listens on.</summary>
    public static RpcEndpoint Endpoint(this IHost host) => host.Services.GetRequiredService<RpcServerHost<ProbeServer>>().Endpoints[0];

    /// <summary>A plain (unhosted) client of the probe server.</summary>
    public static async Task<IHostedProbe.Client> ConnectAsync(this IHost host)
    {
        var endpoint = host.Endpoint();
        var peer = endpoint.Kind == RpcEndpointKind.Tcp
            ? await TcpPeer.ConnectAsync(endpoint.Address)
            : await UnixStreamPeer.ConnectAsync(endpoint.Address);
        return new IHostedProbe.Client(peer);
    }

    public static FakeLogCollector Logs(this IHost host) => host.Services.GetFakeLogCollector();

    /// <summary>The events logged so far with this name.</summary>
    public static FakeLogRecord[] Events(this IHost host, string name) =>
        [.. host.Logs().GetSnapshot().Where(record => record.Id.Name == name)];

    /// <summary>Waits until the <paramref name="count"/>th event named <paramref name="name"/> (that matches) has been logged.</summary>
    public static async Task<FakeLogRecord> WaitForEventAsync(this IHost host, string name, int count = 1, Func<FakeLogRecord, bool>? where = null)
    {
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        var seen = 0;
        try
        {
            await foreach (var record in host.Logs().GetLogsAsync(timeout.Token))
            {
                if (record.Id.Name == name && (where?.Invoke(record) ?? true) && ++seen == count)
                    return record;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"No event {name} (#{count}) within {Loopback.Timeout}; logged: "
            + string.Join("; ", host.Logs().GetSnapshot().Select(record => $"{record.Id.Name}: {record.Message}")));
    }

    /// <summary>Stops the host (within the test timeout) and disposes it.</summary>
    public static async Task StopAndDisposeAsync(this IHost host)
    {
        await host.StopAsync().WaitAsync(Loopback.Timeout);
        host.Dispose();
    }
}
