using Microsoft.Extensions.Hosting;

namespace FizyrRpc.Hosting.Client;

/// <summary>Ties a hosted client's connection to the host: connects at start when configured to, and closes it when the host stops.</summary>
internal sealed class RpcClientStarter<TInterface, TBody>(ReconnectingConnection<TInterface, TBody> connection, bool connectOnStart) : IHostedService
    where TInterface : class
    where TBody : IMessageBody<TBody>
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (connectOnStart)
            connection.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => connection.DisposeAsync().AsTask();
}
