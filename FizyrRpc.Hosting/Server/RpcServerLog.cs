using Microsoft.Extensions.Logging;

namespace FizyrRpc.Hosting.Server;

/// <summary>The hosted server's log events; the IDs are stable (1–99).</summary>
internal static partial class RpcServerLog
{
    [LoggerMessage(1, LogLevel.Information, "{Server} listening on {Endpoint}", EventName = "ListenerStarted")]
    public static partial void ListenerStarted(ILogger logger, string server, RpcEndpoint endpoint);

    [LoggerMessage(2, LogLevel.Information, "{Server} stopped listening on {Endpoint}", EventName = "ListenerStopped")]
    public static partial void ListenerStopped(ILogger logger, string server, RpcEndpoint endpoint);

    [LoggerMessage(3, LogLevel.Debug, "{Server} accepted a connection from {Remote} on {Endpoint}", EventName = "ConnectionAccepted")]
    public static partial void ConnectionAccepted(ILogger logger, string server, string remote, RpcEndpoint endpoint);

    [LoggerMessage(4, LogLevel.Debug, "{Server} connection from {Remote} closed: {Reason}", EventName = "ConnectionClosed")]
    public static partial void ConnectionClosed(ILogger logger, string server, string remote, string reason, Exception? cause);

    // 5 (HandlerFailed) moved to the engine: FizyrRpc.Core logs it (event 210, category FizyrRpc.Server).

    [LoggerMessage(6, LogLevel.Error, "{Server} stopped accepting on {Endpoint} after an accept error", EventName = "AcceptFailed")]
    public static partial void AcceptFailed(ILogger logger, string server, RpcEndpoint endpoint, Exception error);

    [LoggerMessage(7, LogLevel.Warning, "{Server} skipped {Count} transient accept errors on {Endpoint} so far", EventName = "TransientAcceptErrors")]
    public static partial void TransientAcceptErrors(ILogger logger, string server, long count, RpcEndpoint endpoint);

    [LoggerMessage(8, LogLevel.Warning, "{Server} refused a connection from {Remote}: {MaxConnections} connections already open", EventName = "ConnectionRefused")]
    public static partial void ConnectionRefused(ILogger logger, string server, string remote, int maxConnections);

    [LoggerMessage(9, LogLevel.Information, "{Server} stopping: waiting for the requests in flight on its {Connections} connections", EventName = "Draining")]
    public static partial void Draining(ILogger logger, string server, int connections);

    [LoggerMessage(10, LogLevel.Warning, "{Server} shutdown timeout passed with {Connections} connections still handling requests: cancelling their handlers", EventName = "ShutdownTimedOut")]
    public static partial void ShutdownTimedOut(ILogger logger, string server, int connections);

    [LoggerMessage(11, LogLevel.Warning, "{Server} closed {Connections} connections whose handlers did not end within the abort timeout", EventName = "ConnectionsAborted")]
    public static partial void ConnectionsAborted(ILogger logger, string server, int connections);

    [LoggerMessage(12, LogLevel.Error, "{Server} connection from {Remote} ended with an error from the server", EventName = "ServeFailed")]
    public static partial void ServeFailed(ILogger logger, string server, string remote, Exception error);
}
