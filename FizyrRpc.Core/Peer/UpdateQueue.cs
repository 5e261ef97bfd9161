using System.Threading.Channels;

namespace FizyrRpc;

/// <summary>
/// The bounded queue of one open request: updates (and, for a sent request, the response) written by the read loop,
/// read by the request's handle. When it is full the read loop waits: backpressure on the connection.
/// </summary>
internal sealed class UpdateQueue<TBody>
    where TBody : IMessageBody<TBody>
{
    private readonly Channel<Message<TBody>> _channel;
    private readonly PeerConnection<TBody> _connection;
    private int _abandoned;

    public UpdateQueue(PeerConnection<TBody> connection)
    {
        _connection = connection;
        _channel = Channel.CreateBounded<Message<TBody>>(new BoundedChannelOptions(connection.Options.UpdateQueueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Called by the read loop. A message for a handle that is gone is dropped.</summary>
    public ValueTask DeliverAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _abandoned) == 0 && _channel.Writer.TryWrite(message))
            return default;
        if (Volatile.Read(ref _abandoned) != 0)
        {
            message.Body.Dispose();
            return default;
        }

        return DeliverSlowAsync(message, cancellationToken);
    }

    private async ValueTask DeliverSlowAsync(Message<TBody> message, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            message.Body.Dispose(); // completed or abandoned meanwhile
        }
        catch
        {
            message.Body.Dispose();
            throw;
        }
    }

    /// <summary>No more messages will come; with an error, waiting readers fail with it once the queue is empty.</summary>
    public void Complete(Exception? error = null) => _channel.Writer.TryComplete(error);

    /// <summary>The handle is gone: drop what is queued and everything that still arrives.</summary>
    public void Abandon()
    {
        Volatile.Write(ref _abandoned, 1);
        _channel.Writer.TryComplete();
        while (_channel.Reader.TryRead(out var message))
            message.Body.Dispose();
    }

    public bool TryPeek(out Message<TBody> message) => _channel.Reader.TryPeek(out message);

    public bool TryRead(out Message<TBody> message) => _channel.Reader.TryRead(out message);

    /// <summary>Waits until a message is queued (true) or the queue completed without error (false).</summary>
    /// <exception cref="ConnectionClosedException">The connection ended and the queue is empty.</exception>
    public async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException && _connection.CloseError is { } closed)
        {
            throw closed;
        }
    }
}
