using BenchmarkDotNet.Attributes;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>
/// The request tracker's bookkeeping per request, with the request objects built as PeerConnection builds them:
/// a sent request registered then found and removed (its response came), a received one registered then
/// unregistered (it was answered). Each benchmark leaves the tracker empty, so every call measures the same thing.
/// </summary>
[MemoryDiagnoser]
public class TrackerBenchmarks : ISmokeCheck
{
    private PeerConnection<StreamBody> _connection = null!;
    private RequestTracker<StreamBody> _tracker = null!;
    private Message<StreamBody> _request;

    [GlobalSetup]
    public void Setup()
    {
        _connection = new PeerConnection<StreamBody>(new NoOpTransport(), new PeerOptions());
        _tracker = _connection.Tracker;
        _request = new Message<StreamBody>(MessageHeader.Request(7, 1), StreamBody.Empty);
    }

    /// <summary>Returns whether the response's lookup found the very request that was registered.</summary>
    [Benchmark]
    public bool SentRegisterFindRemove()
    {
        var request = _tracker.RegisterSent(_connection, serviceId: 1);
        return ReferenceEquals(_tracker.FindSent(request.RequestId, remove: true), request);
    }

    /// <summary>Returns whether the request registered (rather than being a duplicate, one too many, or refused).</summary>
    [Benchmark]
    public bool ReceivedRegisterUnregister()
    {
        var request = new ReceivedRequest<StreamBody>(_connection, _request);
        var registered = _tracker.TryRegisterReceived(request) == RegisterResult.Registered;
        _tracker.Unregister(request);
        return registered;
    }

    public string? Check(string method, object? result) => method switch
    {
        nameof(SentRegisterFindRemove) when result is not true => "the lookup did not return the registered request",
        nameof(SentRegisterFindRemove) => _tracker.OpenSentCount == 0 ? null : $"{_tracker.OpenSentCount} sent requests left open",
        nameof(ReceivedRegisterUnregister) when result is not true => "the received request did not register",
        nameof(ReceivedRegisterUnregister) => _tracker.OpenReceivedCount == 0 ? null : $"{_tracker.OpenReceivedCount} received requests left open",
        _ => $"no check for {method}",
    };
}
