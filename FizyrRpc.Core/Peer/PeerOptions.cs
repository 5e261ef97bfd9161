namespace FizyrRpc;

/// <summary>
/// Bounds and behaviour of a peer, the same for every transport. Every queue is bounded: when one is full the side
/// that fills it waits (backpressure), so a remote that floods us stops being read instead of growing our memory.
/// </summary>
public sealed class PeerOptions
{
    /// <summary>The defaults.</summary>
    public static PeerOptions Default { get; } = new();

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
    /// The most requests received from the remote that may be open (delivered or queued, not yet answered) at once
    /// (default 4096). A request beyond it is answered at once with an error response and never reaches the user.
    /// </summary>
    public int MaxOpenReceivedRequests { get; set; } = 4096;

    /// <summary>How long a graceful close may take to write what was already queued before the connection is aborted (default 5 s).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

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
        if (ShutdownTimeout < TimeSpan.Zero && ShutdownTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, "Must not be negative.");
    }
}
