using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// What generated server base classes are built on: serves a connection, one task per request, and answers every
/// request exactly once. An unknown service, an undecodable body and a handler's exception each become an error
/// response carrying a message, never a stack trace. Stream messages go to <see cref="OnStreamAsync"/>.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public abstract class RpcServerBase<TBody>
    where TBody : IMessageBody<TBody>
{
    /// <summary>Creates a server that reads and writes bodies in <paramref name="format"/> (generated code passes its interface's DefaultFormat unless given another).</summary>
    protected RpcServerBase(IRpcFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        Format = format;
    }

    /// <summary>The format of every body.</summary>
    public IRpcFormat Format { get; }

    /// <summary>
    /// Serves the connection until it ends or <paramref name="cancellationToken"/> is cancelled, then waits for the
    /// handlers still running and releases the handle.
    /// </summary>
    public async Task ServeAsync(PeerHandle<TBody> peer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var (read, write) = peer.Split();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, write.ConnectionClosed);
        var runner = new RequestRunner<TBody>(this, write, stop.Token);
        try
        {
            // The read loop waits on the caller's token alone: the connection ending ends it anyway, and a token that
            // cannot be cancelled lets the engine's queue reuse its wait instead of allocating one per message.
            await foreach (var message in read.ReadMessagesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (message.Request is { } request)
                {
                    runner.Start(request); // one request never holds up the read loop
                    continue;
                }

                using (message.Message.Body)
                {
                    try
                    {
                        await OnStreamAsync(message.Message, write, stop.Token).ConfigureAwait(false);
                    }
                    catch (Exception error) when (error is not OperationCanceledException || !stop.IsCancellationRequested)
                    {
                        OnHandlerError(message.Header, error);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by the caller or the connection.
        }
        catch (ConnectionClosedException)
        {
            // Ended by a protocol or transport error (a normal close just ends the loop); handlers see it through their token.
        }
        finally
        {
            try
            {
                await runner.DrainAsync().ConfigureAwait(false);
            }
            finally
            {
                await read.DisposeAsync().ConfigureAwait(false);
                await write.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Handles one request on a thread-pool thread (see <see cref="RequestRunner{TBody}"/>); answers it exactly once.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask HandleAsync(ReceivedRequest<TBody> request, PeerWriteHandle<TBody> write, CancellationToken cancellationToken)
    {
        await using (request.ConfigureAwait(false))
        {
            var context = new RpcRequestContext<TBody>(request, Format, write, cancellationToken);
            try
            {
                await DispatchAsync(context).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                // Failing because the connection went away is not the handler's error; anything else is observed, also
                // when the handler had already answered.
                var connectionGone = cancellationToken.IsCancellationRequested && error is OperationCanceledException or ConnectionClosedException;
                if (!connectionGone)
                    OnHandlerError(request.Message.Header, error);
                if (!request.IsClosed)
                    await AnswerFailureAsync(context, error).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask AnswerFailureAsync(RpcRequestContext<TBody> context, Exception error)
    {
        try
        {
            if (error is RpcFormatException invalid)
                await RespondInvalidBodyAsync(context, invalid).ConfigureAwait(false);
            else
                await context.Request.SendErrorResponseAsync(DescribeError(error), CancellationToken.None).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // The connection is gone, or another task answered meanwhile: nobody to tell.
        }
    }

    /// <summary>Dispatches one request to its handler by service ID; generated. Must answer the request (or throw).</summary>
    protected abstract ValueTask DispatchAsync(RpcRequestContext<TBody> context);

    /// <summary>
    /// Handles a request for a service the interface does not declare: the error response "unknown service N" by
    /// default. Override to see such requests (the raw request is <c>context.Request</c>) and answer them yourself.
    /// </summary>
    protected virtual ValueTask RespondUnknownServiceAsync(RpcRequestContext<TBody> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.SendErrorResponseAsync($"unknown service {context.ServiceId}", CancellationToken.None);
    }

    /// <summary>
    /// Handles a request (or one of its updates) whose body does not decode: the error response
    /// "invalid body for service N: ..." by default. Override to see such messages and answer them yourself.
    /// </summary>
    protected virtual ValueTask RespondInvalidBodyAsync(RpcRequestContext<TBody> context, RpcFormatException error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        return context.Request.SendErrorResponseAsync($"invalid body for service {context.ServiceId}: {error.Message}", CancellationToken.None);
    }

    /// <summary>Handles a stream message from the remote; generated to decode it and call the typed handler. Ignores it by default.</summary>
    protected virtual ValueTask OnStreamAsync(Message<TBody> stream, PeerWriteHandle<TBody> peer, CancellationToken cancellationToken) => default;

    /// <summary>
    /// The text of the error response for a handler's exception: its message by default, never a stack trace.
    /// Override to say less (or more) to the remote.
    /// </summary>
    protected virtual string DescribeError(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Message;
    }

    /// <summary>Observes a handler's exception (log it here); the request is answered with an error response.</summary>
    protected virtual void OnHandlerError(MessageHeader header, Exception error)
    {
    }
}
