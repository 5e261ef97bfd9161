using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FizyrRpc.Hosting.Client;

/// <summary>The hosted client's instruments, on a meter of the engine's name (<see cref="RpcDiagnostics.MeterName"/>).</summary>
internal static class RpcClientMetrics
{
    private static readonly Meter Meter = new(RpcDiagnostics.MeterName, typeof(RpcClientMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        RpcDiagnostics.Instruments.Reconnects, "{connection}", "Connections a reconnecting client made after it lost one.");

    /// <summary>A client connected again after it lost its connection.</summary>
    public static void Reconnected(string service, RpcEndpoint endpoint)
    {
        if (!Reconnects.Enabled)
            return;
        var transport = endpoint.Kind switch
        {
            RpcEndpointKind.Tcp => "tcp",
            RpcEndpointKind.UnixStream => "unix_stream",
            _ => "unix_seqpacket",
        };
        Reconnects.Add(1, new TagList
        {
            { RpcDiagnostics.Tags.RpcSystem, RpcDiagnostics.SystemName },
            { RpcDiagnostics.Tags.RpcService, service },
            { RpcDiagnostics.Tags.NetworkTransport, endpoint.Kind == RpcEndpointKind.Tcp ? "tcp" : "unix" },
            { RpcDiagnostics.Tags.Transport, transport },
        });
    }
}
