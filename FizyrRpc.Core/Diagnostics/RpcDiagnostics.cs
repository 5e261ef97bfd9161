using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FizyrRpc;

/// <summary>
/// The names FizyrRpc measures and traces under: subscribe to the <see cref="MeterName"/> meter and the
/// <see cref="ActivitySourceName"/> activity source (with OpenTelemetry: <c>AddMeter(RpcDiagnostics.MeterName)</c>,
/// <c>AddSource(RpcDiagnostics.ActivitySourceName)</c>). Nothing is measured or traced while nobody listens.
/// </summary>
public static class RpcDiagnostics
{
    /// <summary>The name of the <see cref="Meter"/> of every FizyrRpc instrument.</summary>
    public const string MeterName = "FizyrRpc";

    /// <summary>The name of the <see cref="ActivitySource"/> of every FizyrRpc span.</summary>
    public const string ActivitySourceName = "FizyrRpc";

    /// <summary>The value of <c>rpc.system.name</c> on every measurement and span.</summary>
    public const string SystemName = "fizyr_rpc";

    /// <summary>The instrument names (OpenTelemetry's RPC semantic conventions where they have one).</summary>
    public static class Instruments
    {
        /// <summary>Histogram, seconds: a typed call, from sending its request to its decoded response or failure.</summary>
        public const string ClientCallDuration = "rpc.client.call.duration";

        /// <summary>Histogram, seconds: a handled request, from its handler's start to its answer.</summary>
        public const string ServerCallDuration = "rpc.server.call.duration";

        /// <summary>Up-down counter: connections open now.</summary>
        public const string OpenConnections = "fizyr_rpc.connection.open";

        /// <summary>Counter: messages handed to the socket.</summary>
        public const string MessagesSent = "fizyr_rpc.message.sent";

        /// <summary>Counter: messages read from the socket.</summary>
        public const string MessagesReceived = "fizyr_rpc.message.received";

        /// <summary>Counter, bytes: bodies handed to the socket.</summary>
        public const string BodyBytesSent = "fizyr_rpc.message.sent.body_size";

        /// <summary>Counter, bytes: bodies read from the socket.</summary>
        public const string BodyBytesReceived = "fizyr_rpc.message.received.body_size";

        /// <summary>Counter: protocol errors of remotes (a dropped message, or a fatal one that closed the connection).</summary>
        public const string ProtocolErrors = "fizyr_rpc.protocol_error";

        /// <summary>Counter: connections a reconnecting client made after it lost one (FizyrRpc.Hosting).</summary>
        public const string Reconnects = "fizyr_rpc.client.reconnect";
    }

    /// <summary>The tag (attribute) names.</summary>
    public static class Tags
    {
        /// <summary>Always <see cref="SystemName"/>.</summary>
        public const string RpcSystem = "rpc.system.name";

        /// <summary><c>Interface/Service</c> (e.g. <c>Camera/Record</c>), or <c>_OTHER</c> for a service the interface does not declare.</summary>
        public const string RpcMethod = "rpc.method";

        /// <summary>The interface's service name (e.g. <c>Camera</c>).</summary>
        public const string RpcService = "rpc.service";

        /// <summary>On spans of a service the interface does not declare: <c>Interface/ID</c>.</summary>
        public const string RpcMethodOriginal = "rpc.method_original";

        /// <summary><c>tcp</c> or <c>unix</c> (OpenTelemetry's <c>network.transport</c>).</summary>
        public const string NetworkTransport = "network.transport";

        /// <summary><c>tcp</c>, <c>unix_stream</c>, <c>unix_seqpacket</c>, or <c>other</c>.</summary>
        public const string Transport = "fizyr_rpc.transport";

        /// <summary>How a call ended: <c>success</c>, <c>error_response</c>, <c>connection_lost</c>, <c>cancelled</c> or <c>failed</c>.</summary>
        public const string Outcome = "fizyr_rpc.outcome";

        /// <summary>Set when a call did not succeed: the outcome, or for <c>failed</c> the exception's type name.</summary>
        public const string ErrorType = "error.type";

        /// <summary>On messages: <c>request</c>, <c>response</c>, <c>requester_update</c>, <c>responder_update</c> or <c>stream</c>.</summary>
        public const string MessageType = "fizyr_rpc.message.type";

        /// <summary>On protocol errors: the <see cref="FizyrRpc.ProtocolError"/> name.</summary>
        public const string ProtocolError = "fizyr_rpc.protocol_error.kind";

        /// <summary>On protocol errors: whether it closed the connection.</summary>
        public const string Fatal = "fizyr_rpc.protocol_error.fatal";

        /// <summary>On spans: the request ID.</summary>
        public const string RequestId = "fizyr_rpc.request.id";

        /// <summary>On spans: the service ID.</summary>
        public const string ServiceId = "fizyr_rpc.service.id";
    }

    /// <summary>The values of <see cref="Tags.Outcome"/>.</summary>
    public static class Outcomes
    {
        /// <summary>Answered with a response.</summary>
        public const string Success = "success";

        /// <summary>Answered with an error response.</summary>
        public const string ErrorResponse = "error_response";

        /// <summary>The connection ended before the answer.</summary>
        public const string ConnectionLost = "connection_lost";

        /// <summary>Cancelled (the caller's token, or a server's stop).</summary>
        public const string Cancelled = "cancelled";

        /// <summary>Anything else: a response that did not decode, a handler's fault.</summary>
        public const string Failed = "failed";
    }
}
