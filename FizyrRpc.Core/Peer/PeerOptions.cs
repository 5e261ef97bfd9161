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

    /// <summary>How long a graceful close may take to write what was already queued before the connection is aborted (default 5 s).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where the connection's log events go (connections opened and ended, protocol errors, a typed server's handler
    /// failures, a listener's accept errors); none by default. FizyrRpc.Hosting sets the host's.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

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
        static void Positive(int value, string name)
        {
            if (value <= 0)
                throw new ArgumentOutOfRangeException(name, value, "Must be positive.");
        }

        Positive(IncomingQueueCapacity, nameof(IncomingQueueCapacity));
        Positive(UpdateQueueCapacity, nameof(UpdateQueueCapacity));
        Positive(OutgoingQueueCapacity, nameof(OutgoingQueueCapacity));
        Positive(MaxOpenReceivedRequests, nameof(MaxOpenReceivedRequests));
        Positive(MaxOpenSentRequests, nameof(MaxOpenSentRequests));
        if (ShutdownTimeout < TimeSpan.Zero && ShutdownTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, "Must not be negative.");
    }
}
