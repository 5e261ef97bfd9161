using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace FizyrRpc;

/// <summary>
/// What generated clients are built on: typed calls over a write handle, typed stream messages both ways, and the
/// raw handles underneath. A client built from a whole <see cref="PeerHandle{TBody}"/> can read the remote's stream
/// messages; one built from a <see cref="PeerWriteHandle{TBody}"/> only sends; one built from an
/// <see cref="IRpcConnectionProvider{TBody}"/> takes the connection of each call from it (a reconnecting connection,
/// for one) and only sends.
/// </summary>
/// <remarks>
/// A client built from a whole peer handle reads the connection itself from the start, so its calls never wait on
/// stream messages nobody reads: it answers the remote's requests with an error response and keeps the stream messages
/// for <see cref="ReadStreamsAsync{TStream}"/>, at most <see cref="MaxUnreadStreams"/> of them and
/// <see cref="MaxUnreadStreamBytes"/> of bodies. Beyond either bound the oldest unread one is dropped (its body
/// released) and counted in <see cref="DroppedStreamCount"/>.
/// </remarks>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public abstract class RpcClientBase<TBody> : IAsyncDisposable
    where TBody : IMessageBody<TBody>
{
    /// <summary>How many unread stream messages a client keeps; beyond it the oldest is dropped.</summary>
    public const int MaxUnreadStreams = 256;

    private readonly PeerWriteHandle<TBody>? _writeHandle;
    private readonly IRpcConnectionProvider<TBody>? _provider;

    /// <summary>How many bytes of unread stream bodies a client keeps; beyond it the oldest are dropped.</summary>
    public const long MaxUnreadStreamBytes = 16 * 1024 * 1024;

    private readonly PeerHandle<TBody>? _peer;
    private readonly Channel<Message<TBody>>? _streams;
    private readonly CancellationTokenSource? _stopReading;
    private readonly Task? _reading;
    private long _unreadBytes;
    private long _droppedStreams;

    /// <summary>
    /// Creates a client that owns <paramref name="peer"/>: it sends requests, and reads the connection from now on (the
    /// remote's stream messages wait for <see cref="ReadStreamsAsync{TStream}"/>, within the bounds of the class remarks).
    /// </summary>
    protected RpcClientBase(PeerHandle<TBody> peer, IRpcFormat format)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(format);
        _peer = peer;
        (ReadHandle, _writeHandle) = peer.Split();
        Format = format;
        _streams = Channel.CreateBounded<Message<TBody>>(
            new BoundedChannelOptions(MaxUnreadStreams) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true },
            Drop);
        _stopReading = new CancellationTokenSource();
        _reading = ReadConnectionAsync(ReadHandle, _stopReading.Token);
    }

    /// <summary>Creates a client from a write handle alone: it sends requests and streams, and reads nothing else.</summary>
    protected RpcClientBase(PeerWriteHandle<TBody> writeHandle, IRpcFormat format)
    {
        ArgumentNullException.ThrowIfNull(writeHandle);
        ArgumentNullException.ThrowIfNull(format);
        _writeHandle = writeHandle;
        Format = format;
    }

    /// <summary>
    /// Creates a client that asks <paramref name="provider"/> for the connection of each call: it sends requests and
    /// streams, and reads nothing else. The provider stays its owner's: disposing the client leaves it alone.
    /// </summary>
    protected RpcClientBase(IRpcConnectionProvider<TBody> provider, IRpcFormat format)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(format);
        _provider = provider;
        Format = format;
    }

    /// <summary>The format of every body.</summary>
    public IRpcFormat Format { get; }

    /// <summary>The raw write handle underneath.</summary>
    /// <exception cref="InvalidOperationException">The client takes its connection from a provider per call.</exception>
    public PeerWriteHandle<TBody> WriteHandle => _writeHandle ?? throw new InvalidOperationException(
        "This client takes the connection of each call from its IRpcConnectionProvider: it has no write handle of its own.");

    /// <summary>The raw read handle underneath, when the client was built from a whole peer handle; the client reads it itself, so do not read it too.</summary>
    public PeerReadHandle<TBody>? ReadHandle { get; }

    /// <summary>How many stream messages were dropped unread (see the class remarks).</summary>
    public long DroppedStreamCount => Interlocked.Read(ref _droppedStreams);

    /// <summary>Completes when the connection has ended.</summary>
    /// <exception cref="InvalidOperationException">The client takes its connection from a provider per call.</exception>
    public Task Completion => WriteHandle.Completion;

    /// <summary>Closes the connection for every handle; completes when it has ended.</summary>
    /// <exception cref="InvalidOperationException">The client takes its connection from a provider per call.</exception>
    public Task CloseAsync() => WriteHandle.CloseAsync();

    /// <summary>A handle that can close the connection but does not keep it alive.</summary>
    /// <exception cref="InvalidOperationException">The client takes its connection from a provider per call.</exception>
    public PeerCloseHandle CreateCloseHandle() => WriteHandle.CreateCloseHandle();

    /// <summary>Encodes a value as a body in the client's format.</summary>
    protected TBody Encode<T>(T value) => TBody.FromBytes(Format.Encode(value));

    /// <summary>The format's "no body".</summary>
    protected TBody NoBody() => TBody.FromBytes(Format.NoBody);

    // The ValueTask forms pool their state machines (await them once); the Task forms are for interface methods that
    // return Task, where the Task is the state machine and nothing is wrapped. All four wait through
    // ReceiveResponseAsync, whose pooled state machine allocates nothing when it waits.

    /// <summary>Sends a request and returns the decoded response; updates the service does not declare are skipped.</summary>
    /// <remarks>The result is a pooled <see cref="ValueTask{TResult}"/>: await it exactly once.</remarks>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    /// <exception cref="RpcFormatException">The response body is not a valid (non-nullable) <typeparamref name="TResponse"/>.</exception>
    protected ValueTask<TResponse> CallAsync<TResponse>(int serviceId, TBody request, CancellationToken cancellationToken) =>
        CallAsync<TResponse>(serviceId, request, nullable: false, cancellationToken);

    /// <summary>
    /// Sends a request and returns the decoded response; <paramref name="nullable"/> says whether the declared response
    /// type accepts "no body". Updates the service does not declare are skipped.
    /// </summary>
    /// <remarks>The result is a pooled <see cref="ValueTask{TResult}"/>: await it exactly once.</remarks>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    /// <exception cref="RpcFormatException">The response body is not a valid <typeparamref name="TResponse"/>.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected async ValueTask<TResponse> CallAsync<TResponse>(int serviceId, TBody request, bool nullable, CancellationToken cancellationToken)
    {
        var telemetry = RpcCallTelemetry.StartClient(InterfaceInfo, serviceId);
        try
        {
            using var sent = await SendRequestAsync(serviceId, request, cancellationToken).ConfigureAwait(false);
            telemetry?.Sent(sent.Diagnostics, sent.RequestId);
            var response = ResponseDecoder.Decode<TResponse, TBody>(Format, await ReceiveResponseAsync(sent, cancellationToken).ConfigureAwait(false), nullable);
            telemetry?.Succeeded();
            return response;
        }
        catch (Exception error) when (telemetry is not null)
        {
            telemetry.ClientFailed(error);
            throw;
        }
    }

    /// <summary>Sends a request whose response carries no value, and waits for it.</summary>
    /// <remarks>The result is a pooled <see cref="ValueTask"/>: await it exactly once.</remarks>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected async ValueTask CallAsync(int serviceId, TBody request, CancellationToken cancellationToken)
    {
        var telemetry = RpcCallTelemetry.StartClient(InterfaceInfo, serviceId);
        try
        {
            using var sent = await SendRequestAsync(serviceId, request, cancellationToken).ConfigureAwait(false);
            telemetry?.Sent(sent.Diagnostics, sent.RequestId);
            CheckResponse(await ReceiveResponseAsync(sent, cancellationToken).ConfigureAwait(false));
            telemetry?.Succeeded();
        }
        catch (Exception error) when (telemetry is not null)
        {
            telemetry.ClientFailed(error);
            throw;
        }
    }

    /// <summary>As <see cref="CallAsync{TResponse}(int, TBody, CancellationToken)"/>, as a <see cref="Task{TResult}"/> (for interface methods that return one).</summary>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    /// <exception cref="RpcFormatException">The response body is not a valid (non-nullable) <typeparamref name="TResponse"/>.</exception>
    protected Task<TResponse> CallTaskAsync<TResponse>(int serviceId, TBody request, CancellationToken cancellationToken) =>
        CallTaskAsync<TResponse>(serviceId, request, nullable: false, cancellationToken);

    // The Task forms hand out the ValueTask forms' calls as tasks: one body of each call.
    /// <summary>As <see cref="CallAsync{TResponse}(int, TBody, bool, CancellationToken)"/>, as a <see cref="Task{TResult}"/> (for interface methods that return one).</summary>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    /// <exception cref="RpcFormatException">The response body is not a valid <typeparamref name="TResponse"/>.</exception>
    protected Task<TResponse> CallTaskAsync<TResponse>(int serviceId, TBody request, bool nullable, CancellationToken cancellationToken) =>
        CallAsync<TResponse>(serviceId, request, nullable, cancellationToken).AsTask();

    /// <summary>As <see cref="CallAsync(int, TBody, CancellationToken)"/>, as a <see cref="Task"/> (for interface methods that return one).</summary>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    protected Task CallTaskAsync(int serviceId, TBody request, CancellationToken cancellationToken) =>
        CallAsync(serviceId, request, cancellationToken).AsTask();

    // Straight to the response: with no updates (the common case) that is the only wait. Updates that came first
    // (which a plain call does not declare) are skipped.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<Message<TBody>> ReceiveResponseAsync(SentRequest<TBody> sent, CancellationToken cancellationToken)
    {
        try
        {
            return await sent.ReceiveResponseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (UnreadUpdateException)
        {
            while (await sent.ReceiveUpdateAsync(cancellationToken).ConfigureAwait(false) is { } update)
                update.Body.Dispose();
            return await sent.ReceiveResponseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Frees the response's body, or throws the remote's error.</summary>
    private static void CheckResponse(Message<TBody> response)
    {
        using (response.Body)
            response.ThrowIfError();
    }

    /// <summary>
    /// Sends a request and returns its raw handle, for a generated call object (whose <see cref="RpcCallBase{TBody, TUpdate}"/>
    /// ends the call's measurement and span when its response arrives or it is disposed).
    /// </summary>
    protected ValueTask<SentRequest<TBody>> StartAsync(int serviceId, TBody request, CancellationToken cancellationToken) =>
        RpcCallTelemetry.StartClient(InterfaceInfo, serviceId) is { } telemetry
            ? StartObservedAsync(serviceId, request, telemetry, cancellationToken)
            : SendRequestAsync(serviceId, request, cancellationToken);

    private async ValueTask<SentRequest<TBody>> StartObservedAsync(int serviceId, TBody request, RpcCallTelemetry telemetry, CancellationToken cancellationToken)
    {
        try
        {
            var sent = await SendRequestAsync(serviceId, request, cancellationToken).ConfigureAwait(false);
            telemetry.Sent(sent.Diagnostics, sent.RequestId);
            sent.Telemetry = telemetry;
            return sent;
        }
        catch (Exception error)
        {
            telemetry.ClientFailed(error);
            throw;
        }
    }

    /// <summary>
    /// The interface this client calls, which names its calls in metrics and traces (<c>rpc.method</c> is
    /// <c>Interface/Service</c>); generated. Null: every call is named <c>_OTHER</c>.
    /// </summary>
    protected virtual RpcInterfaceInfo? InterfaceInfo => null;

    /// <summary>Sends a stream message.</summary>
    protected ValueTask SendStreamAsync(int streamId, TBody body, CancellationToken cancellationToken) =>
        _writeHandle is { } write ? write.SendStreamAsync(streamId, body, cancellationToken) : SendStreamThroughProviderAsync(streamId, body, cancellationToken);

    private ValueTask<SentRequest<TBody>> SendRequestAsync(int serviceId, TBody request, CancellationToken cancellationToken) =>
        _writeHandle is { } write ? write.SendRequestAsync(serviceId, request, cancellationToken) : SendRequestThroughProviderAsync(serviceId, request, cancellationToken);

    private async ValueTask<SentRequest<TBody>> SendRequestThroughProviderAsync(int serviceId, TBody request, CancellationToken cancellationToken)
    {
        var write = await GetProvidedWriteHandleAsync(request, cancellationToken).ConfigureAwait(false);
        return await write.SendRequestAsync(serviceId, request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SendStreamThroughProviderAsync(int streamId, TBody body, CancellationToken cancellationToken)
    {
        var write = await GetProvidedWriteHandleAsync(body, cancellationToken).ConfigureAwait(false);
        await write.SendStreamAsync(streamId, body, cancellationToken).ConfigureAwait(false);
    }

    // The body is the client's until a handle takes it: freed here when no connection could be had.
    private async ValueTask<PeerWriteHandle<TBody>> GetProvidedWriteHandleAsync(TBody body, CancellationToken cancellationToken)
    {
        try
        {
            return await _provider!.GetWriteHandleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the remote's stream messages, decoded by <paramref name="decode"/> (the generated decoder gives a stream
    /// whose body does not decode as the union's Invalid case, and goes on). Stream messages that came since the client
    /// was built are read first, within the bounds of the class remarks. Ends when the connection ends normally.
    /// </summary>
    /// <exception cref="InvalidOperationException">The client was built from a write handle alone.</exception>
    /// <exception cref="ConnectionClosedException">The connection ended on an error.</exception>
    protected async IAsyncEnumerable<TStream> ReadStreamsAsync<TStream>(
        Func<IRpcFormat, Message<TBody>, TStream> decode,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decode);
        var streams = _streams ?? throw new InvalidOperationException("This client was built from a write handle or a connection provider and reads nothing: build it from a PeerHandle.");
        while (await streams.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!streams.Reader.TryRead(out var stream))
                continue;
            Interlocked.Add(ref _unreadBytes, -stream.Body.Data.Length);
            using (stream.Body)
                yield return decode(Format, stream);
        }
    }

    // Reads the connection for the client's whole life, so a stream nobody reads never holds up a response.
    private async Task ReadConnectionAsync(PeerReadHandle<TBody> read, CancellationToken stop)
    {
        Exception? failure = null;
        try
        {
            await foreach (var message in read.ReadMessagesAsync(stop).ConfigureAwait(false))
            {
                if (message.Request is { } request)
                    await RefuseAsync(request, stop).ConfigureAwait(false);
                else
                    Keep(message.Message);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client is being disposed.
        }
        catch (Exception error)
        {
            failure = error;
        }
        finally
        {
            _streams!.Writer.TryComplete(failure);
        }
    }

    private static async ValueTask RefuseAsync(ReceivedRequest<TBody> request, CancellationToken stop)
    {
        await using (request.ConfigureAwait(false))
        {
            try
            {
                await request.SendErrorResponseAsync($"unexpected request for service {request.ServiceId}", stop).ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // The connection is gone: nobody to tell.
            }
        }
    }

    private void Keep(Message<TBody> stream)
    {
        var streams = _streams!;
        Interlocked.Add(ref _unreadBytes, stream.Body.Data.Length);
        if (!streams.Writer.TryWrite(stream))
        {
            Drop(stream); // completed: the client is being disposed
            return;
        }

        // The count bound is the channel's (DropOldest, through Drop); the byte bound drops the oldest here.
        while (Interlocked.Read(ref _unreadBytes) > MaxUnreadStreamBytes && streams.Reader.TryRead(out var oldest))
            Drop(oldest);
    }

    private void Drop(Message<TBody> stream)
    {
        Interlocked.Add(ref _unreadBytes, -stream.Body.Data.Length);
        Interlocked.Increment(ref _droppedStreams);
        stream.Body.Dispose();
    }

    /// <summary>
    /// Releases the handles the client holds; when they were the last, waits until the connection has ended. A client
    /// on a provider holds none.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_reading is not null && !_stopReading!.IsCancellationRequested)
        {
            await _stopReading.CancelAsync().ConfigureAwait(false);
            await _reading.ConfigureAwait(false);
            _stopReading.Dispose();
            while (_streams!.Reader.TryRead(out var unread))
                unread.Body.Dispose();
        }

        if (ReadHandle is not null)
            await ReadHandle.DisposeAsync().ConfigureAwait(false);
        if (_writeHandle is not null)
            await _writeHandle.DisposeAsync().ConfigureAwait(false);
        if (_peer is not null)
            await _peer.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}
