using Microsoft.Extensions.Logging;

namespace FizyrRpc;

/// <summary>What a typed server logs: its handlers' failures, in the <c>FizyrRpc.Server</c> category.</summary>
internal static class ServerTelemetry
{
    /// <summary>The server's logger, from the connection's <see cref="PeerOptions.LoggerFactory"/>; null when it has none.</summary>
    public static ILogger? CreateLogger(ConnectionDiagnostics connection) => connection.LoggerFactory?.CreateLogger(PeerLog.ServerCategory);

    /// <summary>A handler threw (the request is answered with an error response all the same).</summary>
    public static void HandlerFailed(ILogger? logger, RpcInterfaceInfo? info, in MessageHeader header, Exception error)
    {
        if (logger is not null && logger.IsEnabled(LogLevel.Error))
            PeerLog.HandlerFailed(logger, RpcMethodTable.For(info).Describe(header), header.ServiceId, header.RequestId, error);
    }
}
