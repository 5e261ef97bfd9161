using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FizyrRpc;

/// <summary>
/// What one connection logs and measures: opened and ended, messages and body bytes both ways, protocol errors. The
/// per-message hooks cost one check of <see cref="System.Diagnostics.Metrics.Instrument.Enabled"/> while nobody listens.
/// </summary>
internal sealed class ConnectionDiagnostics
{
    private readonly ILogger _logger;
    private readonly ConnectionInfo? _info;
    private int _countedOpen; // 1 when the open-connections counter was raised for this connection, so it is lowered once

    public ConnectionDiagnostics(ILoggerFactory? loggerFactory, string? transportName, ConnectionInfo? info)
    {
        LoggerFactory = loggerFactory;
        _logger = (ILogger?)loggerFactory?.CreateLogger(PeerLog.ConnectionCategory) ?? NullLogger.Instance;
        Transport = transportName ?? "other";
        NetworkTransport = RpcInstruments.NetworkTransport(Transport);
        _info = info;
    }

    /// <summary>Where the typed layer's loggers come from (null: none).</summary>
    public ILoggerFactory? LoggerFactory { get; }

    /// <summary>The <c>fizyr_rpc.transport</c> tag.</summary>
    public string Transport { get; }

    /// <summary>The <c>network.transport</c> tag.</summary>
    public string NetworkTransport { get; }

    /// <summary>The connection runs.</summary>
    public void Opened()
    {
        PeerLog.ConnectionOpened(_logger, Transport, _info);
        if (RpcInstruments.OpenConnections.Enabled)
        {
            Volatile.Write(ref _countedOpen, 1);
            RpcInstruments.OpenConnections.Add(1, TransportTags());
        }
    }

    /// <summary>The connection has ended, for <paramref name="error"/>'s reason. (Counted before logged: a log event tells a reader the count is in.)</summary>
    public void Ended(ConnectionClosedException? error)
    {
        if (Interlocked.Exchange(ref _countedOpen, 0) != 0)
            RpcInstruments.OpenConnections.Add(-1, TransportTags());

        var reason = error?.Reason ?? CloseReason.ClosedLocally;
        switch (reason)
        {
            case CloseReason.ProtocolError when error!.InnerException is RpcProtocolException protocol:
                CountProtocolError(protocol);
                PeerLog.ProtocolErrorFatal(_logger, Transport, protocol.Error, _info, protocol);
                break;
            case CloseReason.ProtocolError or CloseReason.TransportError or CloseReason.EndedMidMessage:
                PeerLog.ConnectionFailed(_logger, Transport, reason, _info, error?.InnerException);
                break;
            default:
                PeerLog.ConnectionEnded(_logger, Transport, reason, _info);
                break;
        }
    }

    /// <summary>A message was read from the socket.</summary>
    public void Received(in MessageHeader header, int bodyLength)
    {
        if (RpcInstruments.MessagesReceived.Enabled)
            RpcInstruments.MessagesReceived.Add(1, MessageTags(header.MessageType));
        if (RpcInstruments.BodyBytesReceived.Enabled)
            RpcInstruments.BodyBytesReceived.Add(bodyLength, MessageTags(header.MessageType));
    }

    /// <summary>A batch of messages was handed to the socket.</summary>
    public void Sent<TBody>(List<Message<TBody>> batch)
        where TBody : IMessageBody<TBody>
    {
        var messages = RpcInstruments.MessagesSent.Enabled;
        var bytes = RpcInstruments.BodyBytesSent.Enabled;
        if (!messages && !bytes)
            return;
        foreach (var message in batch)
        {
            var tags = MessageTags(message.Header.MessageType);
            if (messages)
                RpcInstruments.MessagesSent.Add(1, tags);
            if (bytes)
                RpcInstruments.BodyBytesSent.Add(message.Body.Data.Length, tags);
        }
    }

    /// <summary>A message was dropped on a protocol error that does not close the connection.</summary>
    public void MessageDropped(RpcProtocolException error)
    {
        CountProtocolError(error);
        PeerLog.MessageDropped(_logger, error.Error, error.Message);
    }

    private void CountProtocolError(RpcProtocolException error)
    {
        if (!RpcInstruments.ProtocolErrors.Enabled)
            return;
        var tags = TransportTags();
        tags.Add(RpcDiagnostics.Tags.ProtocolError, error.Error.ToString());
        tags.Add(RpcDiagnostics.Tags.Fatal, error.IsFatal);
        RpcInstruments.ProtocolErrors.Add(1, tags);
    }

    private TagList TransportTags() => new()
    {
        { RpcDiagnostics.Tags.RpcSystem, RpcDiagnostics.SystemName },
        { RpcDiagnostics.Tags.NetworkTransport, NetworkTransport },
        { RpcDiagnostics.Tags.Transport, Transport },
    };

    private TagList MessageTags(MessageType type)
    {
        var tags = TransportTags();
        tags.Add(RpcDiagnostics.Tags.MessageType, RpcInstruments.MessageTypeName(type));
        return tags;
    }
}
