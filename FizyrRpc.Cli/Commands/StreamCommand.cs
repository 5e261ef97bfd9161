using System.CommandLine;
using FizyrRpc.Cli.Addressing;

namespace FizyrRpc.Cli.Commands;

/// <summary><c>fizyr-rpc stream ADDRESS SERVICE</c>: sends one stream message, then closes the connection once it is written.</summary>
internal static class StreamCommand
{
    public static Command Create(CommonOptions common)
    {
        var address = CommonOptions.AddressArgument("ADDRESS", "The peer");
        var service = new Argument<int>("SERVICE") { Description = "The service ID (stream kind) of the message" };
        var body = new BodyOptions();
        var command = new Command("stream", "Send one stream message") { address, service };
        body.AddTo(command);
        common.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() =>
            Connector.RunClientAsync(
                parse.GetValue(address)!,
                common.GetSettings(parse),
                new Session(parse.GetValue(address)!, parse.GetValue(service), body.GetBody(parse)),
                cancellationToken)));
        return command;
    }

    private sealed class Session(RpcAddress address, int serviceId, byte[] body) : IClientSession
    {
        public async Task<int> RunAsync<TBody>(PeerFactory<TBody> connect, CancellationToken cancellationToken)
            where TBody : IMessageBody<TBody>
        {
            await using var peer = await connect(cancellationToken);
            return await CommandRunner.OnConnectionAsync(address, async () =>
            {
                await peer.SendStreamAsync(serviceId, TBody.FromBytes(body), cancellationToken);
                // A graceful close writes what is queued first; a close error means the message may not have gone out.
                await peer.CloseAsync().WaitAsync(cancellationToken);
                if (peer.CloseError is { Reason: not CloseReason.ClosedLocally } error)
                    throw error;
                return ExitCodes.Success;
            });
        }
    }
}
