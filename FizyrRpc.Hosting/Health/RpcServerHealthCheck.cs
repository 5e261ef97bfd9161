using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FizyrRpc.Hosting.Health;

/// <summary>Healthy while every endpoint of the server accepts connections.</summary>
internal sealed class RpcServerHealthCheck<TServer>(RpcServerHost<TServer> server) : IHealthCheck
    where TServer : class
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["endpoints"] = string.Join(", ", server.Endpoints),
            ["connections"] = server.OpenConnections,
        };
        return Task.FromResult(server.IsListening
            ? HealthCheckResult.Healthy($"{typeof(TServer).Name} listening on {data["endpoints"]}", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{typeof(TServer).Name} is not accepting connections on every endpoint", data: data));
    }
}
