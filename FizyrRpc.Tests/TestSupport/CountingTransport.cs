using FizyrRpc.Transports;

namespace FizyrRpc.Tests.TestSupport;

/// <summary>Counts the batches the peer hands to the transport, and the messages in them.</summary>
internal sealed class CountingTransport(StreamTransport inner) : IPeerTransport<StreamBody>
{
    private int _writes;
    private int _messages;

    public int Writes => Volatile.Read(ref _writes);

    public int Messages => Volatile.Read(ref _messages);

    public ConnectionInfo? ConnectionInfo => inner.ConnectionInfo;

    public ValueTask<Message<StreamBody>?> ReadMessageAsync(CancellationToken cancellationToken) => inner.ReadMessageAsync(cancellationToken);

    public void ValidateOutgoing(in Message<StreamBody> message) => inner.ValidateOutgoing(message);

    public ValueTask WriteAsync(IReadOnlyList<Message<StreamBody>> messages, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        Interlocked.Add(ref _messages, messages.Count);
        return inner.WriteAsync(messages, cancellationToken);
    }

    public void Abort() => inner.Abort();

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
