using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using FizyrRpc.Cli.Addressing;
using FizyrRpc.Cli.Output;
using FizyrRpc.Cli.Tap;
using FizyrRpc.Transports;

namespace FizyrRpc.Cli.Commands;

/// <summary>
/// <c>fizyr-rpc tap --listen ADDRESS --to ADDRESS [--pcap FILE]</c>: accepts connections, relays each to the server
/// unchanged, and prints every message both ways (see <see cref="TapLog"/>); <c>--pcap</c> also writes a capture.
/// Runs until Ctrl+C or SIGTERM; the first line is "listening on ADDRESS".
/// </summary>
internal static class TapCommand
{
    /// <summary>The server port the capture shows when the server is a Unix socket (it has none).</summary>
    public const int DefaultUnixPcapPort = 1337;

    public static Command Create(CommonOptions common)
    {
        var listen = CommonOptions.AddressOption("--listen", "Where clients connect (tcp://127.0.0.1:0 picks a free port)");
        var to = CommonOptions.AddressOption("--to", "The server each connection is relayed to");
        var pcap = new Option<FileInfo?>("--pcap")
        {
            Description = "Also write every connection to this pcap file, as TCP conversations Wireshark reassembles",
            HelpName = "FILE",
        };
        var pcapPort = new Option<int?>("--pcap-port")
        {
            Description = $"The server's TCP port in the capture [default: the real port of a tcp:// --to, else {DefaultUnixPcapPort}]",
            HelpName = "PORT",
        };
        pcapPort.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 or > 65535)
                result.AddError("--pcap-port must be from 1 to 65535.");
        });
        var command = new Command("tap", "Relay connections to a server and print every message both ways (time, direction, type, request ID, service ID, body, a response's time since its request)")
        {
            listen,
            to,
            pcap,
            pcapPort,
        };
        common.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(listen) is { } a && result.GetValue(to) is { } b && a.IsByteStream != b.IsByteStream)
                result.AddError("--listen and --to must both be byte streams (tcp://, unix:) or both unix-seqpacket:.");
        });
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() =>
        {
            var settings = common.GetSettings(parse);
            var listenAddress = parse.GetValue(listen)!;
            var log = new TapLog(new LineWriter(Console.Out), common.GetDisplay(parse), parse.GetValue(common.Json));
            var tap = new Tapper(listenAddress, parse.GetValue(to)!, settings, parse.GetValue(pcap)?.FullName, parse.GetValue(pcapPort), log);
            return tap.RunAsync(cancellationToken);
        }));
        return command;
    }

    private sealed class Tapper(RpcAddress listen, RpcAddress to, TransportSettings settings, string? pcapPath, int? pcapPort, TapLog log)
    {
        public async Task<int> RunAsync(CancellationToken cancellationToken)
        {
            using var pcap = pcapPath is null ? null : new PcapWriter(pcapPath);
            var context = new TapContext(log, pcap, settings.EndianFor(to), settings.MaxBodyReadFor(to));
            using var listener = Bind();
            try
            {
                var bound = listen.Kind == TransportKind.Tcp ? new RpcAddress(TransportKind.Tcp, listener.LocalEndPoint!.ToString()!) : listen;
                await Connector.ReportListeningAsync(Console.Out, bound);
                var connections = new List<Task>();
                var count = 0;
                try
                {
                    while (true)
                    {
                        var client = await listener.AcceptAsync(cancellationToken);
                        connections.RemoveAll(task => task.IsCompleted);
                        connections.Add(RelayAsync(client, ++count, context, cancellationToken));
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C: stop accepting, end every relay, exit 0.
                }

                await Task.WhenAll(connections);
                return ExitCodes.Success;
            }
            finally
            {
                if (listen.Kind != TransportKind.Tcp)
                    File.Delete(listen.Target);
            }
        }

        private Socket Bind()
        {
            var socket = NewSocket(listen);
            try
            {
                if (listen.EndPoint is not (IPEndPoint or UnixDomainSocketEndPoint))
                    throw new CliException(ExitCodes.Usage, $"--listen needs an IP address, not a host name: {listen}");
                socket.Bind(listen.EndPoint);
                socket.Listen(128);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new CliException(ExitCodes.ConnectionFailed, $"cannot listen on {listen}: {e.Message}");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        private static Socket NewSocket(RpcAddress address) => address.Kind switch
        {
            TransportKind.Tcp when address.EndPoint is IPEndPoint ip => new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true },
            TransportKind.Tcp => new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true },
            TransportKind.UnixStream => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified),
            _ => new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified),
        };

        private async Task RelayAsync(Socket client, int number, TapContext context, CancellationToken cancellationToken)
        {
            using (client)
            {
                using var server = NewSocket(to);
                try
                {
                    await server.ConnectAsync(to.EndPoint, cancellationToken);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    log.Note(number, $"cannot connect to {to}: {e.Message}; closing the client's connection");
                    return;
                }

                var clientEndPoint = client.RemoteEndPoint as IPEndPoint;
                log.Connected(number, $"{(clientEndPoint is null ? "client" : clientEndPoint.ToString())} -> {to}");
                var conversation = context.Pcap?.Open(
                    clientEndPoint ?? new IPEndPoint(IPAddress.Loopback, 40000 + number % 20000),
                    new IPEndPoint(
                        (server.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.Loopback,
                        pcapPort ?? (server.RemoteEndPoint as IPEndPoint)?.Port ?? DefaultUnixPcapPort),
                    DateTimeOffset.UtcNow);
                var reason = to.IsByteStream
                    ? await StreamRelay.RunAsync(client, server, number, context, conversation, cancellationToken)
                    : await SeqpacketRelay.RunAsync(client, server, settings.CreateUnixConfig(), number, context, conversation, cancellationToken);
                log.Closed(number, reason);
            }
        }
    }
}
