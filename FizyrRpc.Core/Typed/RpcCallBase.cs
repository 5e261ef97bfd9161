using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// What generated call objects are built on: one open request of a service that declares updates. Send typed
/// request updates, read typed response updates, then await the typed response.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
/// <typeparam name="TUpdate">The union of the service's response updates.</typeparam>
public abstract class RpcCallBase<TBody, TUpdate> : IAsyncDisposable
    where TBody : IMessageBody<TBody>
{
    /// <summary>Wraps an open request.</summary>
    protected RpcCallBase(SentRequest<TBody> request, IRpcFormat format)
    {
        Request = request ?? throw new ArgumentNullException(nameof(request));
        Format = format ?? throw new ArgumentNullException(nameof(format));
    }

    /// <summary>The raw request handle underneath.</summary>
    public SentRequest<TBody> Request { get; }

    /// <summary>The format of every body.</summary>
    public IRpcFormat Format { get; }

    /// <summary>The ID of the request.</summary>
    public uint RequestId => Request.RequestId;

    /// <summary>Decodes one response update; generated per service (an undeclared ID gives the union's Unknown case).</summary>
    protected abstract TUpdate DecodeUpdate(Message<TBody> update);

    /// <summary>Receives the next response update; null when the response is next. The result is pooled: await it once.</summary>
    /// <exception cref="RpcFormatException">The update's body is not valid for its declared type.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TUpdate?> ReceiveUpdateAsync(CancellationToken cancellationToken = default)
    {
        if (await Request.ReceiveUpdateAsync(cancellationToken).ConfigureAwait(false) is not { } update)
            return default;
        using (update.Body)
            return DecodeUpdate(update);
    }

    /// <summary>Reads the response updates until the response is next.</summary>
    public async IAsyncEnumerable<TUpdate> ReadUpdatesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await Request.ReceiveUpdateAsync(cancellationToken).ConfigureAwait(false) is { } update)
        {
            using (update.Body)
                yield return DecodeUpdate(update);
        }
    }

    /// <summary>Sends a typed request update.</summary>
    protected ValueTask SendUpdateAsync<T>(int updateId, T value, CancellationToken cancellationToken) =>
        Request.SendUpdateAsync(updateId, TBody.FromBytes(Format.Encode(value)), cancellationToken);

    /// <summary>Waits for the response, skipping updates not read yet, and decodes it as a non-nullable <typeparamref name="TResponse"/>.</summary>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    /// <exception cref="RpcFormatException">The response body is not a valid <typeparamref name="TResponse"/>.</exception>
    protected ValueTask<TResponse> ReceiveResponseAsync<TResponse>(CancellationToken cancellationToken) =>
        ReceiveResponseAsync<TResponse>(nullable: false, cancellationToken);

    /// <summary>Waits for the response, skipping updates not read yet, and decodes it; <paramref name="nullable"/>: whether the declared type accepts no body.</summary>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    /// <exception cref="RpcFormatException">The response body is not a valid <typeparamref name="TResponse"/>.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected async ValueTask<TResponse> ReceiveResponseAsync<TResponse>(bool nullable, CancellationToken cancellationToken)
    {
        try
        {
            while (await Request.ReceiveUpdateAsync(cancellationToken).ConfigureAwait(false) is { } update)
                update.Body.Dispose();
            var response = ResponseDecoder.Decode<TResponse, TBody>(Format, await Request.ReceiveResponseAsync(cancellationToken).ConfigureAwait(false), nullable);
            Request.Telemetry?.Succeeded();
            return response;
        }
        catch (Exception error) when (Request.Telemetry is { } telemetry)
        {
            telemetry.ClientFailed(error);
            throw;
        }
    }

    /// <summary>Waits for the response of a service that answers without a value, skipping updates not read yet; its body is ignored.</summary>
    /// <exception cref="RemoteErrorException">The remote answered with an error response.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected async ValueTask ReceiveEmptyResponseAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await Request.ReceiveUpdateAsync(cancellationToken).ConfigureAwait(false) is { } update)
                update.Body.Dispose();
            var response = await Request.ReceiveResponseAsync(cancellationToken).ConfigureAwait(false);
            using (response.Body)
                response.ThrowIfError();
            Request.Telemetry?.Succeeded();
        }
        catch (Exception error) when (Request.Telemetry is { } telemetry)
        {
            telemetry.ClientFailed(error);
            throw;
        }
    }

    /// <summary>Stops reading the call; the request stays reserved until the remote answers.</summary>
    public ValueTask DisposeAsync()
    {
        Request.Telemetry?.End(RpcDiagnostics.Outcomes.Cancelled, null); // no-op when the response ended it
        GC.SuppressFinalize(this);
        return Request.DisposeAsync();
    }
}
