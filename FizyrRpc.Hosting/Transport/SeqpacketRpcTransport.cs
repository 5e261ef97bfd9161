using FizyrRpc.Transports;
using Microsoft.Extensions.Logging;

namespace FizyrRpc.Hosting.Transport;

/// <summary>Unix seqpacket sockets, which carry <see cref="UnixBody"/> (bytes and descriptors).</summary>
internal sealed class SeqpacketRpcTransport : IRpcTransport<UnixBody>
{
    public static SeqpacketRpcTransport Instance { get; } = new();

    public IReadOnlyList<RpcEndpointKind> Kinds { get; } = [RpcEndpointKind.UnixSeqpacket];

    public async ValueTask<IRpcListener<UnixBody>> BindAsync(RpcEndpoint endpoint, RpcConnectionLimits limits, ILoggerFactory? loggerFactory)
    {
        var listener = await UnixSeqpacketPeer.BindAsync(endpoint.Address, Config(limits), limits.ToPeerOptions(loggerFactory)).ConfigureAwait(false);
        return new RpcListener<UnixBody, UnixConnectionInfo>(listener, endpoint, UnixRemote.Describe);
    }

    public Task<PeerHandle<UnixBody>> ConnectAsync(RpcEndpoint endpoint, RpcConnectionLimits limits, ILoggerFactory? loggerFactory, CancellationToken cancellationToken) =>
        UnixSeqpacketPeer.ConnectAsync(endpoint.Address, Config(limits), limits.ToPeerOptions(loggerFactory), cancellationToken);

    private static UnixConfig Config(RpcConnectionLimits limits)
    {
        var config = new UnixConfig();
        config.MaxBodyLengthRead = limits.MaxBodyLengthRead ?? config.MaxBodyLengthRead;
        config.MaxBodyLengthWrite = limits.MaxBodyLengthWrite ?? config.MaxBodyLengthWrite;
        return config;
    }
}
