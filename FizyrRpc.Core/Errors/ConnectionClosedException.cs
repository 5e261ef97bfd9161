namespace FizyrRpc;

/// <summary>Why a connection ended.</summary>
public enum CloseReason
{
    /// <summary>A handle of ours closed it, or every handle that kept it alive was disposed.</summary>
    ClosedLocally,

    /// <summary>The remote closed it (end of stream).</summary>
    ClosedByRemote,

    /// <summary>The remote broke the protocol in a way the connection cannot survive.</summary>
    ProtocolError,

    /// <summary>The socket failed (reset, I/O error).</summary>
    TransportError,

    /// <summary>
    /// The remote's end of stream came in the middle of a message: it crashed or was cut off, not a clean hang-up.
    /// The partial message was not delivered.
    /// </summary>
    EndedMidMessage,

    /// <summary>
    /// A frame did not arrive in time once its first byte had (a slow header or a trickled body): see
    /// <c>StreamConfig.FrameTimeout</c>. The connection was aborted.
    /// </summary>
    FrameTimeout,

    /// <summary>Nothing moved either way and no request was open for <see cref="PeerOptions.IdleTimeout"/>.</summary>
    IdleTimeout,
}

/// <summary>
/// The connection has ended; every pending wait and every later call on its handles fails with this.
/// <see cref="Exception.InnerException"/> holds the cause, if it was an error.
/// </summary>
public sealed class ConnectionClosedException : RpcException
{
    /// <summary>Creates an exception for a connection that ended for <paramref name="reason"/>.</summary>
    public ConnectionClosedException(CloseReason reason, Exception? cause = null)
        : base(Describe(reason, cause), cause)
    {
        Reason = reason;
    }

    /// <summary>Why the connection ended.</summary>
    public CloseReason Reason { get; }

    /// <summary>A new exception with the same reason and cause, for one more waiter: an exception instance is thrown once.</summary>
    internal ConnectionClosedException Copy() => new(Reason, InnerException);

    private static string Describe(CloseReason reason, Exception? cause)
    {
        var text = reason switch
        {
            CloseReason.ClosedLocally => "The connection was closed locally.",
            CloseReason.ClosedByRemote => "The connection was closed by the remote.",
            CloseReason.ProtocolError => "The connection was closed because of a protocol error.",
            CloseReason.EndedMidMessage => "The remote ended the connection in the middle of a message.",
            CloseReason.FrameTimeout => "The connection was closed because a message did not arrive in time once it had begun.",
            CloseReason.IdleTimeout => "The connection was closed because it was idle for too long.",
            _ => "The connection failed.",
        };
        return cause is null ? text : $"{text} {cause.Message}";
    }
}
