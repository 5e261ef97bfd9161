namespace FizyrRpc;

/// <summary>
/// Bounds and behaviour of a peer, the same for every transport. Every queue is bounded: when one is full the side
/// that fills it waits (backpressure), so a remote that floods us stops being read instead of growing our memory.
/// A connection (and a listener) takes a copy when it is created: changing the options later affects only
/// connections created later.
/// </summary>
public sealed class PeerOptions
{
    /// <summary>A new instance with the defaults (each call makes its own, so changing one changes nothing else).</summary>
    public static PeerOptions Default => new();

    /// <summary>
    /// Incoming requests, stream messages and per-message protocol errors waiting for the read handle (default 256).
    /// When full, the connection stops reading the socket until the read handle takes one.
    /// </summary>
    public int IncomingQueueCapacity { get; set; } = 256;

    /// <summary>
    /// Updates (and the response) waiting to be read on one request handle (default 64). When full, the connection
    /// stops reading the socket until that request's handle takes one, so read the updates of your open requests.
    /// </summary>
    public int UpdateQueueCapacity { get; set; } = 64;

    /// <summary>Messages waiting for the writer (default 1024). When full, send methods wait.</summary>
    public int OutgoingQueueCapacity { get; set; } = 1024;

    /// <summary>
    /// The most requests received from the remote that may be open at once (default 4096). A request counts from its
    /// arrival until its response has been handed to the socket. When the open (unanswered) requests alone fill it, a
    /// further request is answered at once with an error response and never reaches the user; when answers still
    /// waiting to be written fill it, the connection stops reading the socket until they are written, so a remote
    /// that does not read its answers is not read either.
    /// </summary>
    public int MaxOpenReceivedRequests { get; set; } = 4096;

    /// <summary>
    /// The most requests we sent that may wait for their response at once (default 16384). A request handle that was
    /// cancelled or disposed keeps its ID until the remote answers, so against a remote that never answers this is what
    /// bounds the table. Beyond it, sending a request fails with <see cref="InvalidOperationException"/> and nothing is written.
    /// </summary>
    public int MaxOpenSentRequests { get; set; } = 16384;

    /// <summary>
    /// The most body bytes of requests and stream messages that may wait for the read handle (default 4 MiB). When
    /// reached, the connection stops reading its socket until the read handle takes some. One message larger than this
    /// still passes when nothing else waits.
    /// </summary>
    public long MaxIncomingQueueBytes { get; set; } = 4L << 20;

    /// <summary>
    /// The most bytes of messages (bodies and headers) queued and not yet handed to the socket (default 4 MiB). When
    /// reached, send methods wait. One message larger than this still passes when nothing else is queued.
    /// </summary>
    public long MaxOutgoingQueueBytes { get; set; } = 4L << 20;

    /// <summary>
    /// The most bytes that requests received from the remote may hold (default 8 MiB): the bodies of the requests not
    /// yet answered, and the responses not yet handed to the socket. When reached, the connection stops reading its
    /// socket until a response has been written, so a remote that sends requests and does not read the answers is not
    /// read either.
    /// </summary>
    public long MaxOpenReceivedRequestBytes { get; set; } = 8L << 20;

    /// <summary>
    /// A budget shared by every connection created with these options (and by every connection a listener accepts):
    /// body bytes received and not yet handled plus bytes queued and not yet written, over all of them. Null (the
    /// default) means none for a connection made directly; a listener given none makes its own of
    /// <see cref="MemoryBudget.DefaultLimit"/>, so a server is bounded without configuration.
    /// </summary>
    public MemoryBudget? MemoryBudget { get; set; }

    /// <summary>
    /// The most connections a listener keeps open at once (default null: no limit). At the limit the listener accepts
    /// no more until one of its connections has ended; the kernel's backlog holds the ones that wait.
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// How long a connection may go with no message either way and no request open either way before it is closed
    /// gracefully with <see cref="CloseReason.IdleTimeout"/> (default <see cref="Timeout.InfiniteTimeSpan"/>: never).
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>How long a graceful close may take to write what was already queued before the connection is aborted (default 5 s).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where the connection's log events go (connections opened and ended, protocol errors, a typed server's handler
    /// failures, a listener's accept errors); none by default. FizyrRpc.Hosting sets the host's.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Whether the code awaiting a response continues on the connection's read loop (default false: on the thread
    /// pool). With it on, the callers whose responses arrive in one read run one after the other on the read loop, each
    /// until its next pending await, and the requests they send meanwhile go out in one write when the loop would wait:
    /// no thread hand-off per response and fewer sends, at the price of Kestrel's <c>UnsafePreferInlineScheduling</c>:
    /// code after <c>await</c> on a call must not block, or it stalls the connection (every response behind it waits),
    /// and blocking on another call on the same connection there (<c>.Result</c>, <c>.Wait()</c>) never returns. Measured
    /// over TCP it cuts a busy client's CPU per request; over Unix seqpacket it did not pay (docs/PERFORMANCE.md).
    /// Only the response wakes its caller inline; responder updates and stream messages are unaffected.
    /// </summary>
    public bool PreferInlineResponses { get; set; }

    /// <summary>A validated copy, which later changes to this instance do not reach.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    internal PeerOptions Snapshot()
    {
        var copy = (PeerOptions)MemberwiseClone();
        copy.Validate();
        return copy;
    }

    internal void Validate()
    {
        static void Positive(long value, string name)
        {
            if (value <= 0)
                throw new ArgumentOutOfRangeException(name, value, "Must be positive.");
        }

        Positive(IncomingQueueCapacity, nameof(IncomingQueueCapacity));
        Positive(UpdateQueueCapacity, nameof(UpdateQueueCapacity));
        Positive(OutgoingQueueCapacity, nameof(OutgoingQueueCapacity));
        Positive(MaxOpenReceivedRequests, nameof(MaxOpenReceivedRequests));
        Positive(MaxOpenSentRequests, nameof(MaxOpenSentRequests));
        Positive(MaxIncomingQueueBytes, nameof(MaxIncomingQueueBytes));
        Positive(MaxOutgoingQueueBytes, nameof(MaxOutgoingQueueBytes));
        Positive(MaxOpenReceivedRequestBytes, nameof(MaxOpenReceivedRequestBytes));
        if (MaxConnections is { } maxConnections)
            Positive(maxConnections, nameof(MaxConnections));
        if (IdleTimeout <= TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "Must be positive, or infinite.");
        if (ShutdownTimeout < TimeSpan.Zero && ShutdownTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, "Must not be negative.");
    }
}
