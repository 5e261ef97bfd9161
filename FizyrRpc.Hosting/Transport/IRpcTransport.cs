using Microsoft.Extensions.Logging;

namespace FizyrRpc.Hosting.Transport;

/// <summary>The transports of one body type: which endpoint kinds they serve, and how to bind and connect.</summary>
/// <typeparam name="TBody">The body type of the transports.</typeparam>
internal interface IRpcTransport<TBody>
    where TBody : IMessageBody<TBody>
{
    /// <summary>The endpoint kinds this body type travels over.</summary>
    IReadOnlyList<RpcEndpointKind> Kinds { get; }

    /// <summary>Binds a listener whose connections log to <paramref name="loggerFactory"/>.</summary>
    ValueTask<IRpcListener<TBody>> BindAsync(RpcEndpoint endpoint, RpcConnectionLimits limits, ILoggerFactory? loggerFactory);

    /// <summary>Connects; the connection logs to <paramref name="loggerFactory"/>.</summary>
    Task<PeerHandle<TBody>> ConnectAsync(RpcEndpoint endpoint, RpcConnectionLimits limits, ILoggerFactory? loggerFactory, CancellationToken cancellationToken);
}

/// <summary>A bound listener, whatever its transport.</summary>
internal interface IRpcListener<TBody> : IAsyncDisposable
    where TBody : IMessageBody<TBody>
{
    /// <summary>Where it listens, with the real port when port 0 was asked for.</summary>
    RpcEndpoint Endpoint { get; }

    /// <summary>Transient accept errors skipped so far.</summary>
    long TransientErrorCount { get; }

    /// <summary>Accepts the next connection: its peer and who the remote is.</summary>
    ValueTask<(PeerHandle<TBody> Peer, string Remote)> AcceptAsync(CancellationToken cancellationToken);
}

/// <summary>A <see cref="PeerListener{TBody, TInfo}"/> as an <see cref="IRpcListener{TBody}"/>.</summary>
internal sealed class RpcListener<TBody, TInfo>(PeerListener<TBody, TInfo> listener, RpcEndpoint endpoint, Func<TInfo, string> describe)
    : IRpcListener<TBody>
    where TBody : IMessageBody<TBody>
    where TInfo : ConnectionInfo
{
    public RpcEndpoint Endpoint => endpoint;

    public long TransientErrorCount => listener.TransientErrorCount;

    public async ValueTask<(PeerHandle<TBody> Peer, string Remote)> AcceptAsync(CancellationToken cancellationToken)
    {
        var (peer, info) = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        return (peer, describe(info));
    }

    public ValueTask DisposeAsync() => listener.DisposeAsync();
}
