using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// What generated server base classes are built on: serves a connection, one task per request, and answers every
/// request exactly once. An unknown service, an undecodable body and a handler's exception each become an error
/// response carrying a message, never a stack trace. Stream messages go to <see cref="OnStreamAsync"/>.
/// </summary>
/// <remarks>
/// A handler answers with an error on purpose by throwing <see cref="RpcErrorResponseException"/>: its message goes
/// to the remote as it is. Any other exception is a fault: <see cref="OnHandlerError"/> sees it, and the remote gets
/// <c>internal error in service N</c>, or the exception's message when <see cref="EnableDetailedErrors"/> is set.
/// </remarks>
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
    /// Whether a handler's unexpected exception is answered with its message (as grpc-dotnet's detailed errors);
    /// by default the remote gets only <c>internal error in service N</c>. Off by default: messages can hold
    /// details a remote should not see.
    /// </summary>
    public bool EnableDetailedErrors { get; init; }

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
                await FailAsync(context, error, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Sorts a failed request: an error on purpose, a body the remote got wrong, the connection gone, or a fault.
    private async ValueTask FailAsync(RpcRequestContext<TBody> context, Exception error, CancellationToken cancellationToken)
    {
        var request = context.Request;
        try
        {
            if (request.IsClosed)
            {
                // Answered already: whatever came after is the handler's fault, unless the connection went away.
                if (!IsConnectionGone(error, cancellationToken))
                    OnHandlerError(request.Message.Header, error);
                return;
            }

            switch (error)
            {
                case RpcErrorResponseException deliberate:
                    await request.SendErrorResponseAsync(deliberate.Message, CancellationToken.None).ConfigureAwait(false);
                    break;
                case RpcFormatException invalid when ReferenceEquals(invalid, context.ReceivedBodyError):
                    await RespondInvalidBodyAsync(context, invalid).ConfigureAwait(false);
                    break;
                case var _ when IsConnectionGone(error, cancellationToken):
                    break;
                default:
                    OnHandlerError(request.Message.Header, error);
                    await request.SendErrorResponseAsync(DescribeError(request.Message.Header, error), CancellationToken.None).ConfigureAwait(false);
                    break;
            }
        }
        catch (RpcException)
        {
            // The connection is gone, or another task answered meanwhile: nobody to tell.
        }
    }

    // Failing because the connection went away is nobody's fault.
    private static bool IsConnectionGone(Exception error, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested && error is OperationCanceledException or ConnectionClosedException;

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
    /// The text of the error response for a handler's unexpected exception: <c>internal error in service N</c> by
    /// default, or its message with <see cref="EnableDetailedErrors"/>; never a stack trace. Override to say otherwise.
    /// </summary>
    /// <param name="header">The request's header.</param>
    /// <param name="error">The handler's exception.</param>
    protected virtual string DescribeError(MessageHeader header, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return EnableDetailedErrors ? error.Message : $"internal error in service {header.ServiceId}";
    }

    /// <summary>
    /// Observes a handler's unexpected exception (log it here); the request is answered with an error response. Errors
    /// on purpose (<see cref="RpcErrorResponseException"/>), invalid bodies and a connection that went away do not come here.
    /// </summary>
    protected virtual void OnHandlerError(MessageHeader header, Exception error)
    {
    }
}
