using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FizyrRpc;

/// <summary>
/// The meter, its instruments and the activity source, made once. Every user checks <see cref="Instrument.Enabled"/>
/// (or <see cref="ActivitySource.HasListeners"/>) before building tags, so nothing is measured, and nothing allocated,
/// while nobody listens.
/// </summary>
internal static class RpcInstruments
{
    private static readonly string? Version = typeof(RpcInstruments).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(RpcDiagnostics.MeterName, Version);

    public static readonly ActivitySource Source = new(RpcDiagnostics.ActivitySourceName, Version);

    // The semantic conventions' bucket boundaries for RPC durations, in seconds.
    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    };

    public static readonly Histogram<double> ClientCallDuration = Meter.CreateHistogram(
        RpcDiagnostics.Instruments.ClientCallDuration, "s", "The duration of a typed call, from sending its request to its answer.",
        tags: null, DurationAdvice);

    public static readonly Histogram<double> ServerCallDuration = Meter.CreateHistogram(
        RpcDiagnostics.Instruments.ServerCallDuration, "s", "The duration of a handled request, from its handler's start to its answer.",
        tags: null, DurationAdvice);

    public static readonly UpDownCounter<long> OpenConnections = Meter.CreateUpDownCounter<long>(
        RpcDiagnostics.Instruments.OpenConnections, "{connection}", "Connections open now.");

    public static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>(
        RpcDiagnostics.Instruments.MessagesSent, "{message}", "Messages handed to the socket.");

    public static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>(
        RpcDiagnostics.Instruments.MessagesReceived, "{message}", "Messages read from the socket.");

    public static readonly Counter<long> BodyBytesSent = Meter.CreateCounter<long>(
        RpcDiagnostics.Instruments.BodyBytesSent, "By", "Bytes of message bodies handed to the socket.");

    public static readonly Counter<long> BodyBytesReceived = Meter.CreateCounter<long>(
        RpcDiagnostics.Instruments.BodyBytesReceived, "By", "Bytes of message bodies read from the socket.");

    public static readonly Counter<long> ProtocolErrors = Meter.CreateCounter<long>(
        RpcDiagnostics.Instruments.ProtocolErrors, "{error}", "Protocol errors of remotes: dropped messages and fatal errors.");

    /// <summary>OpenTelemetry's <c>network.transport</c> of a transport name.</summary>
    public static string NetworkTransport(string transport) => transport switch
    {
        "tcp" => "tcp",
        "unix_stream" or "unix_seqpacket" => "unix",
        _ => "other",
    };

    /// <summary>The tag value of a message type.</summary>
    public static string MessageTypeName(MessageType type) => type switch
    {
        MessageType.Request => "request",
        MessageType.Response => "response",
        MessageType.RequesterUpdate => "requester_update",
        MessageType.ResponderUpdate => "responder_update",
        _ => "stream",
    };
}
