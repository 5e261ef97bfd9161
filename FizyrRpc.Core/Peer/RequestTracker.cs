namespace FizyrRpc;

/// <summary>The outcome of registering a received request.</summary>
internal enum RegisterResult
{
    Registered,
    Duplicate,
    TooMany,
    Closed,
}

/// <summary>
/// The open requests of one connection, in two ID spaces: the requests we sent (responses and responder updates route
/// here) and the requests we received (requester updates route here). Both sides commonly count from 0, so the same
/// ID open in both spaces at once is normal.
/// </summary>
internal sealed class RequestTracker<TBody>
    where TBody : IMessageBody<TBody>
{
    private readonly object _sync = new();
    private readonly Dictionary<uint, SentRequest<TBody>> _sent = new();
    private readonly Dictionary<uint, ReceivedRequest<TBody>> _received = new();
    private readonly int _maxOpenReceived;
    private readonly int _maxOpenSent;
    private readonly ByteBudget? _receivedBytes; // the bodies of open received requests
    private uint _nextId;
    private int _openReceived;
    private ConnectionClosedException? _failed;

    public RequestTracker(int maxOpenReceived, int maxOpenSent, ByteBudget? receivedBytes = null)
    {
        _maxOpenReceived = maxOpenReceived;
        _maxOpenSent = maxOpenSent;
        _receivedBytes = receivedBytes;
    }

    public int OpenSentCount
    {
        get
        {
            lock (_sync)
                return _sent.Count;
        }
    }

    // Read on every request the read loop dispatches: kept beside the table so reading it takes no lock.
    public int OpenReceivedCount => Volatile.Read(ref _openReceived);

    /// <summary>Picks the next free ID (a u32 counter that wraps and skips IDs still open) and registers the request.</summary>
    public SentRequest<TBody> RegisterSent(PeerConnection<TBody> connection, int serviceId)
    {
        lock (_sync)
        {
            if (_failed is not null)
                throw _failed.Copy();
            if (_sent.Count >= _maxOpenSent)
            {
                throw new InvalidOperationException(
                    $"{_sent.Count} requests sent on this connection still wait for their response, the limit "
                    + $"(PeerOptions.MaxOpenSentRequests); a cancelled or disposed request keeps its ID until the remote answers.");
            }
            var id = _nextId;
            while (_sent.ContainsKey(id))
                id = unchecked(id + 1);
            _nextId = unchecked(id + 1);
            var request = new SentRequest<TBody>(connection, id, serviceId);
            _sent.Add(id, request);
            return request;
        }
    }

    /// <summary>Forgets a sent request whose request message could not be queued.</summary>
    public void Unregister(SentRequest<TBody> request)
    {
        lock (_sync)
        {
            if (_sent.TryGetValue(request.RequestId, out var current) && ReferenceEquals(current, request))
                _sent.Remove(request.RequestId);
        }
    }

    /// <summary>Finds an open sent request; a response removes it, freeing its ID.</summary>
    public SentRequest<TBody>? FindSent(uint requestId, bool remove)
    {
        lock (_sync)
        {
            if (remove)
                return _sent.Remove(requestId, out var removed) ? removed : null;
            return _sent.GetValueOrDefault(requestId);
        }
    }

    public RegisterResult TryRegisterReceived(ReceivedRequest<TBody> request)
    {
        lock (_sync)
        {
            if (_failed is not null)
                return RegisterResult.Closed;
            if (_received.ContainsKey(request.RequestId))
                return RegisterResult.Duplicate;
            // Refused by count, or by bytes when other open requests hold them: one request larger than the limit passes alone.
            var size = ConnectionBudgets.SizeOf(request.Message);
            if (_received.Count >= _maxOpenReceived || (_receivedBytes is { } bytes && bytes.Used > 0 && bytes.Used + size > bytes.Limit))
                return RegisterResult.TooMany;
            _received.Add(request.RequestId, request);
            Volatile.Write(ref _openReceived, _received.Count);
            _receivedBytes?.ForceReserve(size);
            return RegisterResult.Registered;
        }
    }

    public ReceivedRequest<TBody>? FindReceived(uint requestId)
    {
        lock (_sync)
            return _received.GetValueOrDefault(requestId);
    }

    /// <summary>Frees the ID of a received request that was answered.</summary>
    public void Unregister(ReceivedRequest<TBody> request)
    {
        lock (_sync)
        {
            if (!_received.TryGetValue(request.RequestId, out var current) || !ReferenceEquals(current, request))
                return;
            _received.Remove(request.RequestId);
            Volatile.Write(ref _openReceived, _received.Count);
        }

        _receivedBytes?.Release(ConnectionBudgets.SizeOf(request.Message));
    }

    /// <summary>Opens an answered request again, whose response could not be queued (beyond the open-request limit if need be).</summary>
    public void Restore(ReceivedRequest<TBody> request)
    {
        lock (_sync)
        {
            if (_failed is null && _received.TryAdd(request.RequestId, request))
            {
                Volatile.Write(ref _openReceived, _received.Count);
                _receivedBytes?.ForceReserve(ConnectionBudgets.SizeOf(request.Message));
            }
        }
    }

    /// <summary>The connection ended: every open request fails with <paramref name="error"/>, and nothing registers any more.</summary>
    public void FailAll(ConnectionClosedException error)
    {
        SentRequest<TBody>[] sent;
        ReceivedRequest<TBody>[] received;
        lock (_sync)
        {
            _failed ??= error;
            sent = [.. _sent.Values];
            received = [.. _received.Values];
            _sent.Clear();
            _received.Clear();
            Volatile.Write(ref _openReceived, 0);
        }

        foreach (var request in received)
            _receivedBytes?.Release(ConnectionBudgets.SizeOf(request.Message));

        foreach (var request in sent)
            request.Fail(error);
        foreach (var request in received)
            request.Fail(error);
    }
}
