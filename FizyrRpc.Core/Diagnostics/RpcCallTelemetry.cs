using System.Diagnostics;

namespace FizyrRpc;

/// <summary>
/// The measurement and the span of one typed call, client or server side. Made only while someone listens to the
/// call-duration histogram or the activity source: <see cref="StartClient"/> and <see cref="StartServer"/> return null
/// otherwise, so a call that nobody observes allocates nothing here. Ends once.
/// </summary>
internal sealed class RpcCallTelemetry
{
    private readonly bool _server;
    private readonly RpcMethodTable _table;
    private readonly string _method;
    private readonly bool _known;
    private readonly long _start;
    private readonly bool _measure;
    private readonly Activity? _activity;
    private string _transport = "other";
    private string _networkTransport = "other";
    private int _ended;

    private RpcCallTelemetry(bool server, RpcInterfaceInfo? info, int serviceId, bool measure, ConnectionDiagnostics? connection, uint? requestId)
    {
        _server = server;
        _table = RpcMethodTable.For(info);
        var method = _table.FindService(serviceId);
        _known = method is not null;
        _method = method ?? RpcMethodTable.Other;
        _measure = measure;
        if (connection is not null)
            SetTransport(connection);

        if (RpcInstruments.Source.HasListeners())
        {
            var previous = Activity.Current;
            if (server)
                Activity.Current = null; // the header has no room for a trace context: a server span is a root
            _activity = RpcInstruments.Source.StartActivity(_method, server ? ActivityKind.Server : ActivityKind.Client);

            // A server span stays current for its handler (its calls are its children). A client span is not made
            // current: a call object's span outlives the method that starts it, and must not leak into its caller.
            if (_activity is null || !server)
                Activity.Current = previous;
            if (_activity is { IsAllDataRequested: true } activity)
            {
                activity.SetTag(RpcDiagnostics.Tags.RpcSystem, RpcDiagnostics.SystemName);
                activity.SetTag(RpcDiagnostics.Tags.RpcMethod, _method);
                activity.SetTag(RpcDiagnostics.Tags.RpcService, _table.Service);
                activity.SetTag(RpcDiagnostics.Tags.ServiceId, serviceId);
                if (!_known)
                    activity.SetTag(RpcDiagnostics.Tags.RpcMethodOriginal, $"{_table.Service}/{serviceId}");
                if (requestId is { } id)
                    activity.SetTag(RpcDiagnostics.Tags.RequestId, id);
                if (connection is not null)
                    TagTransport(activity);
            }
        }

        if (measure || _activity is not null)
            _start = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts a client call of <paramref name="serviceId"/>, or returns null when nobody listens.</summary>
    public static RpcCallTelemetry? StartClient(RpcInterfaceInfo? info, int serviceId)
    {
        var measure = RpcInstruments.ClientCallDuration.Enabled;
        if (!measure && !RpcInstruments.Source.HasListeners())
            return null;
        return new RpcCallTelemetry(server: false, info, serviceId, measure, connection: null, requestId: null);
    }

    /// <summary>Starts the handling of a received request, or returns null when nobody listens.</summary>
    public static RpcCallTelemetry? StartServer(RpcInterfaceInfo? info, in MessageHeader request, ConnectionDiagnostics connection)
    {
        var measure = RpcInstruments.ServerCallDuration.Enabled;
        if (!measure && !RpcInstruments.Source.HasListeners())
            return null;
        return new RpcCallTelemetry(server: true, info, request.ServiceId, measure, connection, request.RequestId);
    }

    /// <summary>The client's request went out on a connection, with an ID.</summary>
    public void Sent(ConnectionDiagnostics connection, uint requestId)
    {
        SetTransport(connection);
        if (_activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag(RpcDiagnostics.Tags.RequestId, requestId);
            TagTransport(activity);
        }
    }

    /// <summary>The call was answered (a server: its handler returned; for a service the interface does not declare, with an error).</summary>
    public void Succeeded() => End(_known || !_server ? RpcDiagnostics.Outcomes.Success : RpcDiagnostics.Outcomes.ErrorResponse, null);

    /// <summary>A client call failed with <paramref name="error"/>.</summary>
    public void ClientFailed(Exception error) =>
        End(error switch
        {
            RemoteErrorException => RpcDiagnostics.Outcomes.ErrorResponse,
            ConnectionClosedException => RpcDiagnostics.Outcomes.ConnectionLost,
            OperationCanceledException => RpcDiagnostics.Outcomes.Cancelled,
            _ => RpcDiagnostics.Outcomes.Failed,
        }, error);

    /// <summary>
    /// The outcome of a handler that threw, sorted as the server answers it: an error on purpose or a body the remote
    /// got wrong is an error response, a cancelled token is the connection lost (when it closed) or a cancellation,
    /// anything else is a failure.
    /// </summary>
    public static string ServerOutcome(Exception error, Exception? receivedBodyError, CancellationToken cancellationToken, bool connectionClosed) => error switch
    {
        RpcErrorResponseException => RpcDiagnostics.Outcomes.ErrorResponse,
        RpcFormatException when ReferenceEquals(error, receivedBodyError) => RpcDiagnostics.Outcomes.ErrorResponse,
        OperationCanceledException or ConnectionClosedException when cancellationToken.IsCancellationRequested =>
            connectionClosed ? RpcDiagnostics.Outcomes.ConnectionLost : RpcDiagnostics.Outcomes.Cancelled,
        _ => RpcDiagnostics.Outcomes.Failed,
    };

    /// <summary>Ends the call (once): records its duration and stops its span.</summary>
    public void End(string outcome, Exception? error)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
            return;
        var failed = !ReferenceEquals(outcome, RpcDiagnostics.Outcomes.Success);
        var errorType = !failed ? null
            : ReferenceEquals(outcome, RpcDiagnostics.Outcomes.Failed) && error is not null ? error.GetType().FullName
            : outcome;

        if (_measure)
        {
            var tags = new TagList
            {
                { RpcDiagnostics.Tags.RpcSystem, RpcDiagnostics.SystemName },
                { RpcDiagnostics.Tags.RpcMethod, _method },
                { RpcDiagnostics.Tags.RpcService, _table.Service },
                { RpcDiagnostics.Tags.NetworkTransport, _networkTransport },
                { RpcDiagnostics.Tags.Transport, _transport },
                { RpcDiagnostics.Tags.Outcome, outcome },
            };
            if (errorType is not null)
                tags.Add(RpcDiagnostics.Tags.ErrorType, errorType);
            var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
            (_server ? RpcInstruments.ServerCallDuration : RpcInstruments.ClientCallDuration).Record(seconds, tags);
        }

        if (_activity is { } activity)
        {
            if (activity.IsAllDataRequested)
            {
                activity.SetTag(RpcDiagnostics.Tags.Outcome, outcome);
                if (errorType is not null)
                {
                    activity.SetTag(RpcDiagnostics.Tags.ErrorType, errorType);
                    activity.SetStatus(ActivityStatusCode.Error, error?.Message);
                }
            }

            activity.Stop();
        }
    }

    private void SetTransport(ConnectionDiagnostics connection)
    {
        _transport = connection.Transport;
        _networkTransport = connection.NetworkTransport;
    }

    private void TagTransport(Activity activity)
    {
        activity.SetTag(RpcDiagnostics.Tags.NetworkTransport, _networkTransport);
        activity.SetTag(RpcDiagnostics.Tags.Transport, _transport);
    }
}
