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
        OpenReceivedRequests = new ByteBudget(options.MaxOpenReceivedRequestBytes);
    }

    /// <summary>Bodies received and not yet taken by a handle (the incoming queue, a large body still arriving).</summary>
    public ByteBudget Incoming { get; }

    /// <summary>Messages queued and not yet handed to the socket.</summary>
    public ByteBudget Outgoing { get; }

    /// <summary>Bodies of received requests not yet answered, and responses not yet handed to the socket.</summary>
    public ByteBudget OpenReceivedRequests { get; }

    /// <summary>What a message counts for: its header and its body.</summary>
    public static long SizeOf<TBody>(in Message<TBody> message)
        where TBody : IMessageBody<TBody> => MessageHeader.Size + message.Body.Data.Length;

    /// <summary>The connection has ended: the shared budget gets back whatever this connection still held.</summary>
    public void Detach()
    {
        Incoming.Detach();
        Outgoing.Detach();
    }
}
