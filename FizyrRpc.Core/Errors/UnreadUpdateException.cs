namespace FizyrRpc;

/// <summary>
/// The response was asked for while an update for the request was still unread. The update stays queued: read it
/// with ReceiveUpdateAsync first.
/// </summary>
public sealed class UnreadUpdateException : RpcException
{
    /// <summary>Creates an exception for request <paramref name="requestId"/> and its unread update.</summary>
    public UnreadUpdateException(uint requestId, int updateServiceId)
        : base($"Request {requestId} has an unread update (service {updateServiceId}); read the updates before the response.")
    {
        RequestId = requestId;
        UpdateServiceId = updateServiceId;
    }

    /// <summary>The request the update belongs to.</summary>
    public uint RequestId { get; }

    /// <summary>The service ID of the unread update.</summary>
    public int UpdateServiceId { get; }
}
