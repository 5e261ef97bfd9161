using FizyrRpc.Hosting.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FizyrRpc.Hosting;

/// <summary>Health checks of hosted FizyrRpc servers and clients.</summary>
public static class FizyrRpcHealthChecksBuilderExtensions
{
    /// <summary>Checks that the hosted server <typeparamref name="TServer"/> accepts connections on every endpoint.</summary>
    /// <param name="builder">The health checks.</param>
    /// <param name="name">The check's name (<c>fizyrrpc-server-&lt;TServer&gt;</c> by default).</param>
    /// <param name="failureStatus">The status when it fails (unhealthy by default).</param>
    /// <param name="tags">Tags to filter checks by.</param>
    public static IHealthChecksBuilder AddFizyrRpcServer<TServer>(this IHealthChecksBuilder builder, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
        where TServer : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name ?? $"fizyrrpc-server-{typeof(TServer).Name}",
            services => new RpcServerHealthCheck<TServer>(services.GetRequiredService<RpcServerHost<TServer>>()),
            failureStatus,
            tags));
    }

    /// <summary>Checks that the hosted client of <typeparamref name="TInterface"/> is connected (or idle, before its first use).</summary>
    /// <param name="builder">The health checks.</param>
    /// <param name="name">The check's name (<c>fizyrrpc-client-&lt;TInterface&gt;</c> by default).</param>
    /// <param name="failureStatus">The status while it is (re)connecting (unhealthy by default).</param>
    /// <param name="tags">Tags to filter checks by.</param>
    public static IHealthChecksBuilder AddFizyrRpcClient<TInterface>(this IHealthChecksBuilder builder, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
        where TInterface : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name ?? $"fizyrrpc-client-{typeof(TInterface).Name}",
            services => new RpcClientHealthCheck<TInterface>(services.GetRequiredService<RpcClientConnection<TInterface>>()),
            failureStatus,
            tags));
    }
}
