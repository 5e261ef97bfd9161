namespace FizyrRpc;

/// <summary>The ownership rule of send methods: a body handed to one belongs to the peer, also when the send is refused.</summary>
internal static class BodyOwnership
{
    /// <summary>Disposes <paramref name="body"/> and throws when the handle sending it is disposed.</summary>
    public static void ThrowIfDisposed<TBody>(bool disposed, TBody body, object handle)
        where TBody : IMessageBody<TBody>
    {
        if (!disposed)
            return;
        body.Dispose();
        throw new ObjectDisposedException(handle.GetType().Name);
    }
}
