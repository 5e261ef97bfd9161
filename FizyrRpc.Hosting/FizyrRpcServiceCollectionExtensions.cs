using System.Diagnostics.CodeAnalysis;
using FizyrRpc.Hosting.Client;
using FizyrRpc.Hosting.Server;
using FizyrRpc.Hosting.Transport;
using FizyrRpc.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FizyrRpc.Hosting;

/// <summary>Registers FizyrRpc servers and clients with the Generic Host.</summary>
public static class FizyrRpcServiceCollectionExtensions
{
    /// <summary>
    /// Serves <typeparamref name="TServer"/> (a subclass of a generated server base over <see cref="StreamBody"/>) on
    /// TCP and Unix stream endpoints, as a hosted service. Each connection gets its own <typeparamref name="TServer"/>
    /// from its own DI scope, disposed with the connection. Bind the endpoints and limits on the returned builder, e.g.
    /// <c>.BindConfiguration("Camera")</c>; they are validated when the host starts.
    /// </summary>
    /// <returns>The options of this server (named after <typeparamref name="TServer"/>'s full name).</returns>
    public static OptionsBuilder<RpcServerOptions> AddFizyrRpcServer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TServer>(this IServiceCollection services)
        where TServer : RpcServerBase<StreamBody> =>
        AddServer<TServer, StreamBody>(services, StreamRpcTransport.Instance);

    /// <summary>
    /// Serves <typeparamref name="TServer"/> (a subclass of a generated server base over <see cref="UnixBody"/>) on
    /// Unix seqpacket endpoints, as <see cref="AddFizyrRpcServer{TServer}"/> does for byte streams.
    /// </summary>
    /// <returns>The options of this server (named after <typeparamref name="TServer"/>'s full name).</returns>
    public static OptionsBuilder<RpcServerOptions> AddFizyrRpcSeqpacketServer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TServer>(this IServiceCollection services)
        where TServer : RpcServerBase<UnixBody> =>
        AddServer<TServer, UnixBody>(services, SeqpacketRpcTransport.Instance);

    /// <summary>
    /// Registers <typeparamref name="TInterface"/> as a singleton typed client over a TCP or Unix stream endpoint,
    /// made by <paramref name="create"/> on a connection that connects on first use and reconnects when lost (see
    /// <see cref="RpcClientConnection{TInterface}"/>, also registered). Bind the endpoint on the returned builder,
    /// e.g. <c>.BindConfiguration("Camera")</c>; it is validated when the host starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="create">Makes the client on the connection, e.g. <c>connection =&gt; new ICamera.Client(connection)</c>.</param>
    /// <returns>The options of this client (named after <typeparamref name="TInterface"/>'s full name).</returns>
    public static OptionsBuilder<RpcClientOptions> AddFizyrRpcClient<TInterface>(this IServiceCollection services, Func<IRpcConnectionProvider<StreamBody>, TInterface> create)
        where TInterface : class =>
        AddClient(services, create, StreamRpcTransport.Instance);

    /// <summary>As <see cref="AddFizyrRpcClient{TInterface}"/>, for a client over a Unix seqpacket endpoint.</summary>
    /// <param name="services">The services.</param>
    /// <param name="create">Makes the client on the connection, e.g. <c>connection =&gt; new ICamera.Client&lt;UnixBody&gt;(connection)</c>.</param>
    /// <returns>The options of this client (named after <typeparamref name="TInterface"/>'s full name).</returns>
    public static OptionsBuilder<RpcClientOptions> AddFizyrRpcSeqpacketClient<TInterface>(this IServiceCollection services, Func<IRpcConnectionProvider<UnixBody>, TInterface> create)
        where TInterface : class =>
        AddClient(services, create, SeqpacketRpcTransport.Instance);

    private static OptionsBuilder<RpcServerOptions> AddServer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TServer, TBody>(
        IServiceCollection services, IRpcTransport<TBody> transport)
        where TServer : RpcServerBase<TBody>
        where TBody : IMessageBody<TBody>
    {
        ArgumentNullException.ThrowIfNull(services);
        var name = typeof(TServer).FullName ?? typeof(TServer).Name;
        services.TryAddScoped<TServer>();
        services.AddSingleton<IValidateOptions<RpcServerOptions>>(new RpcServerOptionsValidator(name, typeof(TServer).Name, transport.Kinds));
        services.TryAddSingleton<RpcServerHost<TServer>>(provider => new HostedRpcServer<TServer, TBody>(
            provider.GetRequiredService<IServiceScopeFactory>(),
            provider.GetRequiredService<IOptionsMonitor<RpcServerOptions>>(),
            name,
            transport,
            provider.GetService<ILoggerFactory>()));
        services.AddHostedService(provider => (HostedRpcServer<TServer, TBody>)provider.GetRequiredService<RpcServerHost<TServer>>());
        return services.AddOptions<RpcServerOptions>(name).ValidateOnStart();
    }

    private static OptionsBuilder<RpcClientOptions> AddClient<TInterface, TBody>(
        IServiceCollection services, Func<IRpcConnectionProvider<TBody>, TInterface> create, IRpcTransport<TBody> transport)
        where TInterface : class
        where TBody : IMessageBody<TBody>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        var name = typeof(TInterface).FullName ?? typeof(TInterface).Name;
        services.AddSingleton<IValidateOptions<RpcClientOptions>>(new RpcClientOptionsValidator(name, typeof(TInterface).Name, transport.Kinds));
        services.TryAddSingleton<RpcClientConnection<TInterface>>(provider => new ReconnectingConnection<TInterface, TBody>(
            provider.GetRequiredService<IOptionsMonitor<RpcClientOptions>>().Get(name),
            transport,
            provider.GetService<ILoggerFactory>()));
        services.TryAddSingleton(provider => create(Connection<TInterface, TBody>(provider)));
        services.AddHostedService(provider => new RpcClientStarter<TInterface, TBody>(
            Connection<TInterface, TBody>(provider),
            provider.GetRequiredService<IOptionsMonitor<RpcClientOptions>>().Get(name).ConnectOnStart));
        return services.AddOptions<RpcClientOptions>(name).ValidateOnStart();
    }

    private static ReconnectingConnection<TInterface, TBody> Connection<TInterface, TBody>(IServiceProvider provider)
        where TInterface : class
        where TBody : IMessageBody<TBody> =>
        (ReconnectingConnection<TInterface, TBody>)provider.GetRequiredService<RpcClientConnection<TInterface>>();
}
