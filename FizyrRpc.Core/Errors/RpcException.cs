namespace FizyrRpc;

/// <summary>
/// The root of every error FizyrRpc raises. Its subclasses tell apart an error response from the remote
/// (<see cref="RemoteErrorException"/>), a protocol violation (<see cref="RpcProtocolException"/>), a connection that
/// has ended (<see cref="ConnectionClosedException"/>) and misuse of a conversation
/// (<see cref="RequestClosedException"/>, <see cref="UnreadUpdateException"/>, <see cref="MessageTooLargeException"/>).
/// </summary>
public class RpcException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public RpcException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public RpcException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
