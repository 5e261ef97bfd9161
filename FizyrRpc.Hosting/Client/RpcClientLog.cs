using Microsoft.Extensions.Logging;

namespace FizyrRpc.Hosting.Client;

/// <summary>The hosted client's log events; the IDs are stable (101–199).</summary>
internal static partial class RpcClientLog
{
    [LoggerMessage(101, LogLevel.Debug, "{Client} connecting to {Endpoint}", EventName = "Connecting")]
    public static partial void Connecting(ILogger logger, string client, RpcEndpoint endpoint);

    [LoggerMessage(102, LogLevel.Information, "{Client} connected to {Endpoint}", EventName = "Connected")]
    public static partial void Connected(ILogger logger, string client, RpcEndpoint endpoint);

    [LoggerMessage(103, LogLevel.Warning, "{Client} lost its connection to {Endpoint}: {Reason}", EventName = "ConnectionLost")]
    public static partial void ConnectionLost(ILogger logger, string client, RpcEndpoint endpoint, string reason, Exception? cause);

    // The error's message, not the exception: a server that is down for a while would fill the log with stack traces.
    [LoggerMessage(104, LogLevel.Warning, "{Client} could not connect to {Endpoint} (attempt {Attempt}: {Error}); retrying in {Delay}", EventName = "ReconnectAttempt")]
    public static partial void ReconnectAttempt(ILogger logger, string client, RpcEndpoint endpoint, int attempt, string? error, TimeSpan delay);

    [LoggerMessage(105, LogLevel.Debug, "{Client} closed its connection to {Endpoint}", EventName = "ConnectionDisposed")]
    public static partial void Disposed(ILogger logger, string client, RpcEndpoint endpoint);
}
