using FizyrRpc.Transports;
using Microsoft.Extensions.Logging;

namespace FizyrRpc.Hosting.Transport;

/// <summary>TCP and Unix stream sockets, which carry <see cref="StreamBody"/>.</summary>
internal sealed class StreamRpcTransport : IRpcTransport<StreamBody>
{
    public static StreamRpcTransport Instance { get; } = new();

    public IReadOnlyList<RpcEndpointKind> Kinds { get; } = [RpcEndpointKind.Tcp, RpcEndpointKind.UnixStream];

    public async ValueTask<IRpcListener<StreamBody>> BindAsync(RpcEndpoint endpoint, RpcConnectionLimits limits, ILoggerFactory? loggerFactory)
    {
        var config = Config(limits);
        var options = limits.ToPeerOptions(loggerFactory);
        if (endpoint.Kind == RpcEndpointKind.Tcp)
        {
            var tcp = await TcpPeer.BindAsync(endpoint.Address, config, options).ConfigureAwait(false);
            var bound = new RpcEndpoint(RpcEndpointKind.Tcp, Format(tcp.LocalEndPoint));
            return new RpcListener<StreamBody, TcpConnectionInfo>(tcp, bound, static info => Format(info.RemoteEndPoint));
        }

        var unix = await UnixStreamPeer.BindAsync(endpoint.Address, config, options).ConfigureAwait(false);
        return new RpcListener<StreamBody, UnixConnectionInfo>(unix, endpoint, UnixRemote.Describe);
    }

    public Task<PeerHandle<StreamBody>> ConnectAsync(RpcEndpoint endpoint, RpcConnectionLimits limits, ILoggerFactory? loggerFactory, CancellationToken cancellationToken) =>
        endpoint.Kind == RpcEndpointKind.Tcp
            ? TcpPeer.ConnectAsync(endpoint.Address, Config(limits), limits.ToPeerOptions(loggerFactory), cancellationToken)
            : UnixStreamPeer.ConnectAsync(endpoint.Address, Config(limits), limits.ToPeerOptions(loggerFactory), cancellationToken);

    private static StreamConfig Config(RpcConnectionLimits limits)
    {
        var config = new StreamConfig();
        config.MaxBodyLengthRead = limits.MaxBodyLengthRead ?? config.MaxBodyLengthRead;
        config.MaxBodyLengthWrite = limits.MaxBodyLengthWrite ?? config.MaxBodyLengthWrite;
        return config;
    }

    private static string Format(System.Net.IPEndPoint endPoint) => endPoint.ToString();
}

/// <summary>Who is on the other end of a Unix socket, for logs.</summary>
internal static class UnixRemote
{
    public static string Describe(UnixConnectionInfo info) =>
        info.Credentials is { } credentials ? $"{info.Path} ({credentials})" : info.Path;
}
