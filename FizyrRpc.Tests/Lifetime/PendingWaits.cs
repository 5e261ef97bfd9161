namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// One of every kind of wait a connection can leave pending: a sent request's response and update, a received
/// request's update, and the next incoming message. A close must end all of them.
/// </summary>
internal sealed class PendingWaits
{
    private PendingWaits(Task response, Task sentUpdate, Task receivedUpdate, Task nextMessage)
    {
        Response = response;
        SentUpdate = sentUpdate;
        ReceivedUpdate = receivedUpdate;
        NextMessage = nextMessage;
    }

    public Task Response { get; }

    public Task SentUpdate { get; }

    public Task ReceivedUpdate { get; }

    public Task NextMessage { get; }

    private IEnumerable<(string Name, Task Wait)> All =>
    [
        ("SentRequest.ReceiveResponseAsync", Response),
        ("SentRequest.ReceiveUpdateAsync", SentUpdate),
        ("ReceivedRequest.ReceiveUpdateAsync", ReceivedUpdate),
        ("ReceiveMessageAsync", NextMessage),
    ];

    /// <summary>Starts the waits on requests the remote never answers or updates.</summary>
    public static PendingWaits Start(
        PeerHandle<StreamBody> local,
        SentRequest<StreamBody> awaitingResponse,
        SentRequest<StreamBody> awaitingUpdate,
        ReceivedRequest<StreamBody> received) =>
        new(
            awaitingResponse.ReceiveResponseAsync().AsTask(),
            awaitingUpdate.ReceiveUpdateAsync().AsTask(),
            received.ReceiveUpdateAsync().AsTask(),
            local.ReceiveMessageAsync().AsTask());

    /// <summary>Checks nothing has ended yet, so the close is what ends them.</summary>
    public void AssertPending()
    {
        foreach (var (name, wait) in All)
            Assert.That(wait.IsCompleted, Is.False, $"{name} completed before the close: {wait.Exception}");
    }

    /// <summary>Every wait fails with <see cref="ConnectionClosedException"/> and <paramref name="reason"/>.</summary>
    public async Task<IReadOnlyList<ConnectionClosedException>> AssertClosedAsync(CloseReason reason)
    {
        var errors = new List<ConnectionClosedException>();
        foreach (var (name, wait) in All)
        {
            var error = await Await.ThrowsAsync<ConnectionClosedException>(() => wait);
            Assert.That(error.Reason, Is.EqualTo(reason), $"{name}: {error}");
            errors.Add(error);
        }

        return errors;
    }
}
