using Microsoft.Extensions.Logging;

namespace FizyrRpc;

/// <summary>
/// The engine's log events; the IDs are stable (201–299; FizyrRpc.Hosting has 1–199). Nothing that can happen once per
/// message is logged above Debug.
/// </summary>
internal static partial class PeerLog
{
    /// <summary>The category of connection events.</summary>
    public const string ConnectionCategory = "FizyrRpc.Connection";

    /// <summary>The category of typed servers' events.</summary>
    public const string ServerCategory = "FizyrRpc.Server";

    /// <summary>The category of listeners' events.</summary>
    public const string ListenerCategory = "FizyrRpc.Listener";

    [LoggerMessage(201, LogLevel.Debug, "Connection opened over {Transport}: {Connection}", EventName = "ConnectionOpened")]
    public static partial void ConnectionOpened(ILogger logger, string transport, ConnectionInfo? connection);

    [LoggerMessage(202, LogLevel.Debug, "Connection over {Transport} ended: {Reason} ({Connection})", EventName = "ConnectionEnded")]
    public static partial void ConnectionEnded(ILogger logger, string transport, CloseReason reason, ConnectionInfo? connection);

    [LoggerMessage(203, LogLevel.Information, "Connection over {Transport} failed: {Reason} ({Connection})", EventName = "ConnectionFailed")]
    public static partial void ConnectionFailed(ILogger logger, string transport, CloseReason reason, ConnectionInfo? connection, Exception? cause);

    [LoggerMessage(204, LogLevel.Warning, "Connection over {Transport} closed on a protocol error of the remote: {ProtocolError} ({Connection})", EventName = "ProtocolErrorFatal")]
    public static partial void ProtocolErrorFatal(ILogger logger, string transport, ProtocolError protocolError, ConnectionInfo? connection, Exception error);

    // Per message: a remote that breaks the protocol on purpose must not flood the log above Debug.
    [LoggerMessage(205, LogLevel.Debug, "Message dropped on a protocol error of the remote: {ProtocolError}: {Error}", EventName = "MessageDropped")]
    public static partial void MessageDropped(ILogger logger, ProtocolError protocolError, string error);

    [LoggerMessage(210, LogLevel.Error, "Handler of {Method} failed (service {ServiceId}, request {RequestId})", EventName = "HandlerFailed")]
    public static partial void HandlerFailed(ILogger logger, string method, int serviceId, uint requestId, Exception error);

    [LoggerMessage(220, LogLevel.Debug, "Transient accept error skipped by {Listener}", EventName = "AcceptErrorSkipped")]
    public static partial void AcceptErrorSkipped(ILogger logger, string listener, Exception error);

    [LoggerMessage(221, LogLevel.Warning, "{Listener} is short of resources to accept (descriptors, memory): waiting {Delay} before the next accept", EventName = "AcceptBackoff")]
    public static partial void AcceptBackoff(ILogger logger, string listener, TimeSpan delay, Exception error);

    [LoggerMessage(222, LogLevel.Error, "{Listener} failed to accept", EventName = "AcceptError")]
    public static partial void AcceptError(ILogger logger, string listener, Exception error);
}
