namespace FizyrRpc;

/// <summary>
/// The byte bounds of one connection (<see cref="PeerOptions"/>): what waits for the read handle (and large bodies still
/// arriving), what waits to be written, and what the requests received from the remote hold (their bodies until
/// answered, their responses until written). The first two also count against the shared
/// <see cref="PeerOptions.MemoryBudget"/>, if any.
/// </summary>
internal sealed class ConnectionBudgets
{
    public ConnectionBudgets(PeerOptions options)
    {
        var shared = options.MemoryBudget?.Budget;
        Incoming = new ByteBudget(options.MaxIncomingQueueBytes, shared);
        Outgoing = new ByteBudget(options.MaxOutgoingQueueBytes, shared);
        RequestBodies = new ByteBudget(options.MaxOpenReceivedRequestBytes);
        // Its limit is where the read handle stops getting requests: once answers alone fill what the outgoing queue
        // may hold, the remote is not keeping up, and starting more answers would only make more to hold.
        UnwrittenResponses = new ByteBudget(Math.Min(options.MaxOpenReceivedRequestBytes, options.MaxOutgoingQueueBytes));
    }

    /// <summary>Bodies received and not yet taken by a handle (the incoming queue, a large body still arriving).</summary>
    public ByteBudget Incoming { get; }

    /// <summary>Messages queued and not yet handed to the socket.</summary>
    public ByteBudget Outgoing { get; }

    /// <summary>Received requests not yet answered (from their arrival, also while they wait in the incoming queue).</summary>
    public ByteBudget RequestBodies { get; }

    /// <summary>Responses queued (or waiting to be) and not yet handed to the socket; full at the smaller of the open-request and outgoing bounds.</summary>
    public ByteBudget UnwrittenResponses { get; }

    /// <summary>
    /// Whether the received requests hold their bound (<see cref="PeerOptions.MaxOpenReceivedRequestBytes"/>): the
    /// requests not yet answered and the responses not yet written, together.
    /// </summary>
    public bool OpenReceivedRequestsFull => RequestBodies.Used + UnwrittenResponses.Used >= RequestBodies.Limit;

    /// <summary>What a message counts for: its header and its body.</summary>
    public static long SizeOf<TBody>(in Message<TBody> message)
        where TBody : IMessageBody<TBody> => MessageHeader.Size + message.Body.Data.Length;

    /// <summary>Waits until a response has been written, the connection closes, or the token is cancelled.</summary>
    public async Task WhenResponseWrittenAsync(CancellationToken closed, CancellationToken cancellationToken)
    {
        var released = UnwrittenResponses.WhenReleased();
        if (!UnwrittenResponses.IsFull || closed.IsCancellationRequested)
            return;
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (closed.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), tcs))
            await Task.WhenAny(released, tcs.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The connection has ended: the shared budget gets back whatever this connection still held.</summary>
    public void Detach()
    {
        Incoming.Detach();
        Outgoing.Detach();
    }
}
