namespace FizyrRpc.Benchmarks.Micro;

/// <summary>
/// A transport that moves nothing: the tracker benchmarks need a real connection object to build requests on, but
/// the connection is never run, so nothing is ever read or written.
/// </summary>
internal sealed class NoOpTransport : IPeerTransport<StreamBody>
{
    public ValueTask<Message<StreamBody>?> ReadMessageAsync(CancellationToken cancellationToken) => new((Message<StreamBody>?)null);

    public void ValidateOutgoing(in Message<StreamBody> message)
    {
    }

    public ValueTask WriteAsync(IReadOnlyList<Message<StreamBody>> messages, CancellationToken cancellationToken) => default;

    public void Abort()
    {
    }

    public ValueTask DisposeAsync() => default;
}
