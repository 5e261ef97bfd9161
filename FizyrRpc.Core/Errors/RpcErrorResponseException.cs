namespace FizyrRpc;

/// <summary>
/// Thrown by a typed handler to answer its request with the error response <see cref="Exception.Message"/>, on purpose:
/// the remote gets that text as it is, and the server does not treat it as a fault (it never reaches
/// <see cref="RpcServerBase{TBody}.OnHandlerError"/>).
/// </summary>
public sealed class RpcErrorResponseException : RpcException
{
    /// <summary>Creates the exception; <paramref name="message"/> is the error response's text.</summary>
    public RpcErrorResponseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause (kept locally, never sent); <paramref name="message"/> is the error response's text.</summary>
    public RpcErrorResponseException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
