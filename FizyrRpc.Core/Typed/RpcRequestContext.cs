using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// One request a server is handling: decode its body, send updates, read the requester's updates, answer, or send
/// stream messages to the remote. Generated typed contexts wrap it.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
public sealed class RpcRequestContext<TBody>
    where TBody : IMessageBody<TBody>
{
    /// <summary>
    /// Wraps a received request; servers build these, and so does code that reads the connection itself (the generated
    /// <c>ReceiveAsync</c>).
    /// </summary>
    /// <param name="request">The raw request handle.</param>
    /// <param name="format">The format of every body.</param>
    /// <param name="peer">The write handle of the connection.</param>
    /// <param name="cancellationToken">Cancelled when the connection closes (or the server stops).</param>
    public RpcRequestContext(ReceivedRequest<TBody> request, IRpcFormat format, PeerWriteHandle<TBody> peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(peer);
        _request = request;
        Format = format;
        Peer = peer;
        CancellationToken = cancellationToken;
    }

    private readonly ReceivedRequest<TBody> _request;
    private bool _bodyShared;

    /// <summary>The raw request handle underneath.</summary>
    public ReceivedRequest<TBody> Request
    {
        get
        {
            // Whoever takes the raw request may keep its body: the server then leaves the body to the collector.
            _bodyShared = true;
            return _request;
        }
    }

    /// <summary>
    /// Whether the request's body may be held beyond the handler: the raw request was taken, or the body was decoded as
    /// <c>ReadOnlyMemory&lt;byte&gt;</c> (which a format may hand out as the body itself). Otherwise every decoded value is a
    /// copy, and once the request is answered the body's array can be reused.
    /// </summary>
    internal bool BodyShared => _bodyShared;

    /// <summary>The raw request, for the server's own use (which keeps nothing of its body).</summary>
    internal ReceivedRequest<TBody> RequestHandle => _request;

    /// <summary>The format of every body.</summary>
    public IRpcFormat Format { get; }

    /// <summary>The write handle of the connection, to send stream messages or requests of our own.</summary>
    public PeerWriteHandle<TBody> Peer { get; }

    /// <summary>Cancelled when the connection closes or the server stops.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The service the remote asked for.</summary>
    public int ServiceId => _request.ServiceId;

    /// <summary>
    /// The decoding error of a body the remote sent on this request (the request's, or a request update's), once one
    /// has failed: a server answers it as an invalid body, not as its handler's fault.
    /// </summary>
    public RpcFormatException? ReceivedBodyError { get; private set; }

    /// <summary>Decodes the request body as a non-nullable <typeparamref name="T"/>.</summary>
    /// <exception cref="RpcFormatException">The body is not a valid <typeparamref name="T"/>.</exception>
    public T DecodeRequest<T>() => DecodeRequest<T>(nullable: false);

    /// <summary>Decodes the request body; <paramref name="nullable"/>: whether the declared type accepts no body.</summary>
    /// <exception cref="RpcFormatException">The body is not a valid <typeparamref name="T"/>.</exception>
    public T DecodeRequest<T>(bool nullable)
    {
        if (typeof(T) == typeof(ReadOnlyMemory<byte>) || typeof(T) == typeof(ReadOnlyMemory<byte>?))
            _bodyShared = true;
        try
        {
            return Format.Decode<T>(_request.Body.Data, nullable);
        }
        catch (RpcFormatException error)
        {
            ReceivedBodyError = error;
            throw;
        }
    }

    /// <summary>Sends a typed responder update.</summary>
    public ValueTask SendUpdateAsync<T>(int updateId, T value) =>
        _request.SendUpdateAsync(updateId, EncodedBody.Encode<TBody, T>(Format, value), CancellationToken);

    /// <summary>Sends a typed responder update; <paramref name="cancellationToken"/> cancels the send, as the request's own token does.</summary>
    public ValueTask SendUpdateAsync<T>(int updateId, T value, CancellationToken cancellationToken)
    {
        // Link the two tokens only when both can fire: the usual call passes none, and then no source is made.
        if (!cancellationToken.CanBeCanceled || cancellationToken == CancellationToken)
            return SendUpdateAsync(updateId, value);
        if (!CancellationToken.CanBeCanceled)
            return _request.SendUpdateAsync(updateId, EncodedBody.Encode<TBody, T>(Format, value), cancellationToken);
        return SendLinkedUpdateAsync(updateId, value, cancellationToken);
    }

    private async ValueTask SendLinkedUpdateAsync<T>(int updateId, T value, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, CancellationToken);
        await _request.SendUpdateAsync(updateId, EncodedBody.Encode<TBody, T>(Format, value), linked.Token).ConfigureAwait(false);
    }

    /// <summary>Reads the requester's updates until the request is answered, decoded by <paramref name="decode"/>.</summary>
    public async IAsyncEnumerable<TUpdate> ReadUpdatesAsync<TUpdate>(
        Func<IRpcFormat, Message<TBody>, TUpdate> decode,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decode);

        // Link the two tokens only when both can fire: the usual call passes none, and then no source is made.
        using var linked = cancellationToken.CanBeCanceled && CancellationToken.CanBeCanceled && cancellationToken != CancellationToken
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, CancellationToken)
            : null;
        var token = linked?.Token ?? (cancellationToken.CanBeCanceled ? cancellationToken : CancellationToken);
        while (await _request.ReceiveUpdateAsync(token).ConfigureAwait(false) is { } update)
        {
            using (update.Body)
            {
                TUpdate value;
                try
                {
                    value = decode(Format, update);
                }
                catch (RpcFormatException error)
                {
                    ReceivedBodyError = error;
                    throw;
                }

                yield return value;
            }
        }
    }

    /// <summary>Answers with a typed value; a typed server answers with the request's service ID.</summary>
    public ValueTask RespondAsync<T>(T value) =>
        _request.SendResponseAsync(ServiceId, EncodedBody.Encode<TBody, T>(Format, value), CancellationToken);

    /// <summary>Answers with the format's "no body".</summary>
    public ValueTask RespondAsync() => _request.SendResponseAsync(ServiceId, TBody.FromBytes(Format.NoBody), CancellationToken);

    /// <summary>Sends a typed stream message to the remote.</summary>
    public ValueTask SendStreamAsync<T>(int streamId, T value) =>
        Peer.SendStreamAsync(streamId, EncodedBody.Encode<TBody, T>(Format, value), CancellationToken);
}
