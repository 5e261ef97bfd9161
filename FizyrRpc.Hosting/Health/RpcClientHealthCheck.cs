using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FizyrRpc.Hosting.Health;

/// <summary>Healthy while the client is connected, or idle (it connects on first use); failing while it (re)connects or after it was disposed.</summary>
internal sealed class RpcClientHealthCheck<TInterface>(RpcClientConnection<TInterface> connection) : IHealthCheck
    where TInterface : class
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = connection.State;
        var data = new Dictionary<string, object> { ["endpoint"] = connection.Endpoint.ToString(), ["state"] = state.ToString() };
        var description = $"{typeof(TInterface).Name} client: {state} ({connection.Endpoint})";
        return Task.FromResult(state is RpcConnectionState.Connected or RpcConnectionState.Idle
            ? HealthCheckResult.Healthy(description, data)
            : new HealthCheckResult(context.Registration.FailureStatus, description, connection.LastError, data));
    }
}
