using System.Net.Sockets;
using FizyrRpc.Transports;

namespace FizyrRpc.Cli.Addressing;

/// <summary>Opens a new connection of one transport; <see cref="CliException"/> with exit code 3 when it cannot.</summary>
internal delegate Task<PeerHandle<TBody>> PeerFactory<TBody>(CancellationToken cancellationToken)
    where TBody : IMessageBody<TBody>;

/// <summary>What a command does with connections to an address, whatever the body type of its transport.</summary>
internal interface IClientSession
{
    /// <summary>Runs the command; <paramref name="connect"/> opens a connection each time it is called.</summary>
    Task<int> RunAsync<TBody>(PeerFactory<TBody> connect, CancellationToken cancellationToken)
        where TBody : IMessageBody<TBody>;
}

/// <summary>What a command does with a listener, whatever the body type of its transport.</summary>
internal interface IServerSession
{
    /// <summary>Runs the command on a bound listener.</summary>
    Task<int> RunAsync<TBody, TInfo>(PeerListener<TBody, TInfo> listener, CancellationToken cancellationToken)
        where TBody : IMessageBody<TBody>
        where TInfo : ConnectionInfo;
}

/// <summary>Connects to and listens on <see cref="RpcAddress"/>es with the engine's transports.</summary>
internal static class Connector
{
    /// <summary>Runs <paramref name="session"/> with a connection factory for <paramref name="address"/>.</summary>
    public static Task<int> RunClientAsync(RpcAddress address, TransportSettings settings, IClientSession session, CancellationToken cancellationToken)
    {
        switch (address.Kind)
        {
            case TransportKind.Tcp:
            {
                var config = settings.CreateStreamConfig();
                return session.RunAsync(ct => ConnectAsync(address, () => TcpPeer.ConnectAsync(address.Target, config, null, ct)), cancellationToken);
            }
            case TransportKind.UnixStream:
            {
                var config = settings.CreateStreamConfig();
                return session.RunAsync(ct => ConnectAsync(address, () => UnixStreamPeer.ConnectAsync(address.Target, config, null, ct)), cancellationToken);
            }
            default:
            {
                var config = settings.CreateUnixConfig();
                return session.RunAsync(ct => ConnectAsync(address, () => UnixSeqpacketPeer.ConnectAsync(address.Target, config, null, ct)), cancellationToken);
            }
        }
    }

    /// <summary>Binds <paramref name="address"/>, prints "listening on ADDRESS" and runs <paramref name="session"/> on the listener.</summary>
    public static async Task<int> RunServerAsync(
        RpcAddress address, TransportSettings settings, TextWriter output, IServerSession session, CancellationToken cancellationToken)
    {
        switch (address.Kind)
        {
            case TransportKind.Tcp:
            {
                await using var listener = await BindAsync(address, () => TcpPeer.BindAsync(address.Target, settings.CreateStreamConfig()));
                await ReportListeningAsync(output, new RpcAddress(TransportKind.Tcp, listener.LocalEndPoint.ToString()));
                return await session.RunAsync(listener, cancellationToken);
            }
            case TransportKind.UnixStream:
            {
                await using var listener = await BindAsync(address, () => UnixStreamPeer.BindAsync(address.Target, settings.CreateStreamConfig()));
                await ReportListeningAsync(output, address);
                return await session.RunAsync(listener, cancellationToken);
            }
            default:
            {
                await using var listener = await BindAsync(address, () => UnixSeqpacketPeer.BindAsync(address.Target, settings.CreateUnixConfig()));
                await ReportListeningAsync(output, address);
                return await session.RunAsync(listener, cancellationToken);
            }
        }
    }

    /// <summary>The first line of every listening command, with the port a "tcp://...:0" address got.</summary>
    public static async Task ReportListeningAsync(TextWriter output, RpcAddress bound)
    {
        await output.WriteLineAsync($"listening on {bound}");
        await output.FlushAsync();
    }

    private static async Task<PeerHandle<TBody>> ConnectAsync<TBody>(RpcAddress address, Func<Task<PeerHandle<TBody>>> connect)
        where TBody : IMessageBody<TBody>
    {
        try
        {
            return await connect();
        }
        catch (Exception e) when (e is SocketException or PlatformNotSupportedException or IOException)
        {
            throw new CliException(ExitCodes.ConnectionFailed, $"cannot connect to {address}: {e.Message}");
        }
    }

    private static async Task<T> BindAsync<T>(RpcAddress address, Func<ValueTask<T>> bind)
    {
        try
        {
            return await bind();
        }
        catch (Exception e) when (e is SocketException or PlatformNotSupportedException or IOException or FormatException)
        {
            throw new CliException(ExitCodes.ConnectionFailed, $"cannot listen on {address}: {e.Message}");
        }
    }
}
