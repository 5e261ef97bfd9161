using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// What generated server base classes are built on: serves a connection (each request through the connection's request
/// handler, see <see cref="HandlerOptions"/>), and answers every
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
    /// How each connection runs the handlers (null: <see cref="RequestHandlerOptions.Default"/>): at most
    /// <see cref="RequestHandlerOptions.MaxConcurrentHandlers"/> at once per connection, and, with
    /// <see cref="RequestHandlerOptions.PreferInlineHandlers"/>, started on the connection's read loop, so a handler must
    /// not block before its first await (see README, <i>Request handlers on the read loop</i>).
    /// </summary>
    public RequestHandlerOptions? HandlerOptions { get; init; }

    /// <summary>
    /// Serves the connection until it ends or <paramref name="cancellationToken"/> is cancelled, then waits for the
    /// handlers still running and releases the handle.
    /// </summary>
    public Task ServeAsync(PeerHandle<TBody> peer, CancellationToken cancellationToken = default) =>
        ServeAsync(peer, cancellationToken, cancellationToken);

    /// <summary>
    /// Serves the connection with a graceful stop. When <paramref name="stopReading"/> is cancelled, no further request
    /// is taken: the read handle is released, so the connection answers every later request (and every one still
    /// queued) with an error response. Handlers still running go on until they finish, or until
    /// <paramref name="cancellationToken"/> is cancelled, which cancels their tokens (a cancelled handler's request is
    /// answered with an error response). Then the handle is released.
    /// </summary>
    /// <param name="peer">The connection; released when this completes.</param>
    /// <param name="stopReading">Stops taking requests; running handlers go on.</param>
    /// <param name="cancellationToken">Stops taking requests and cancels the running handlers.</param>
    public async Task ServeAsync(PeerHandle<TBody> peer, CancellationToken stopReading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var (read, write) = peer.Split();
        _logger ??= ServerTelemetry.CreateLogger(write.Diagnostics);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, write.ConnectionClosed);
        using var readStop = stopReading == cancellationToken ? null : CancellationTokenSource.CreateLinkedTokenSource(stopReading, cancellationToken);
        var readToken = readStop?.Token ?? cancellationToken;
        var handlers = read.SetRequestHandler(request => HandleAsync(request, write, stop.Token), HandlerOptions);
        try
        {
            // The read loop waits on the caller's token alone: the connection ending ends it anyway, and a token that
            // cannot be cancelled lets the engine's queue reuse its wait instead of allocating one per message.
            await foreach (var message in read.ReadMessagesAsync(readToken).ConfigureAwait(false))
            {
                if (message.Request is { } request)
                {
                    await handlers.DispatchAsync(request, stop.Token).ConfigureAwait(false); // queued before the handler was set
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
                        ReportHandlerError(message.Header, error);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (readToken.IsCancellationRequested || stop.IsCancellationRequested)
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
                // Released before the handlers are waited for: requests that come meanwhile are answered at once.
                await read.DisposeAsync().ConfigureAwait(false);
                await handlers.WhenHandlersDoneAsync().ConfigureAwait(false);
            }
            finally
            {
                await write.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Observes every handler failure besides <see cref="OnHandlerError"/>, even when a subclass overrides that hook:
    /// how a host logs them. Set it before serving; it must not throw.
    /// </summary>
    public Action<MessageHeader, Exception>? HandlerErrorObserver { get; set; }

    private void ReportHandlerError(MessageHeader header, Exception error)
    {
        ServerTelemetry.HandlerFailed(_logger, InterfaceInfo, header, error);
        HandlerErrorObserver?.Invoke(header, error);
        OnHandlerError(header, error);
    }

    /// <summary>
    /// The interface this server serves, which names its requests in metrics, traces and logs (<c>rpc.method</c> is
    /// <c>Interface/Service</c>); generated. Null: every request is named <c>_OTHER</c>.
    /// </summary>
    protected virtual RpcInterfaceInfo? InterfaceInfo => null;

    // Handler failures are logged here when the connection's options have a logger factory (the first connection's).
    private Microsoft.Extensions.Logging.ILogger? _logger;

    /// <summary>Handles one request, from the connection's read loop or a thread-pool thread; answers it exactly once.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask HandleAsync(ReceivedRequest<TBody> request, PeerWriteHandle<TBody> write, CancellationToken cancellationToken)
    {
        var telemetry = RpcCallTelemetry.StartServer(InterfaceInfo, request.Message.Header, write.Diagnostics);
        var context = new RpcRequestContext<TBody>(request, Format, write, cancellationToken);
        await using (request.ConfigureAwait(false))
        {
            try
            {
                await DispatchAsync(context).ConfigureAwait(false);
                telemetry?.Succeeded();
            }
            catch (Exception error)
            {
                var outcome = telemetry is null ? null
                    : RpcCallTelemetry.ServerOutcome(error, context.ReceivedBodyError, cancellationToken, write.CloseError is not null);
                await FailAsync(context, error, cancellationToken).ConfigureAwait(false);
                telemetry?.End(outcome!, error);
            }
        }

        // Answered and released: unless the handler may hold the body, its array is lent to the next large request
        // instead of the next one faulting in fresh pages (a body from the transport's recycler; a rented one goes
        // back to its pool, which disposing it did already).
        if (typeof(TBody) == typeof(StreamBody) && !context.BodyShared)
        {
            var body = request.Message.Body;
            Unsafe.As<TBody, StreamBody>(ref body).Recycle();
        }
    }

    // Sorts a failed request: an error on purpose, a body the remote got wrong, the connection gone, or a fault.
    private async ValueTask FailAsync(RpcRequestContext<TBody> context, Exception error, CancellationToken cancellationToken)
    {
        var request = context.RequestHandle;
        try
        {
            if (request.IsClosed)
            {
                // Answered already: whatever came after is the handler's fault, unless the connection went away.
                if (!IsConnectionGone(error, cancellationToken))
                    ReportHandlerError(request.Message.Header, error);
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
                    ReportHandlerError(request.Message.Header, error);
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
        return context.RequestHandle.SendErrorResponseAsync($"unknown service {context.ServiceId}", CancellationToken.None);
    }

    /// <summary>
    /// Handles a request (or one of its updates) whose body does not decode: the error response
    /// "invalid body for service N: ..." by default. Override to see such messages and answer them yourself.
    /// </summary>
    protected virtual ValueTask RespondInvalidBodyAsync(RpcRequestContext<TBody> context, RpcFormatException error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        return context.RequestHandle.SendErrorResponseAsync($"invalid body for service {context.ServiceId}: {error.Message}", CancellationToken.None);
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
