using System.CommandLine;
using FizyrRpc.Cli.Addressing;
using FizyrRpc.Cli.Output;

namespace FizyrRpc.Cli.Commands;

/// <summary>
/// <c>fizyr-rpc listen ADDRESS</c>: accepts connections and prints every request and stream message (with the
/// requester's updates to a request it holds open: none, since it answers at once). It answers a request with an
/// error response saying it only listens, or with <c>--echo</c> the request's own service ID and body (and echoes
/// stream messages). Runs until Ctrl+C or SIGTERM; the first line is "listening on ADDRESS".
/// </summary>
internal static class ListenCommand
{
    /// <summary>The error response to every request without <c>--echo</c>.</summary>
    public const string NotServedText = "fizyr-rpc listen only prints requests; it serves none (run it with --echo to echo them)";

    public static Command Create(CommonOptions common)
    {
        var address = CommonOptions.AddressArgument("ADDRESS", "Where to listen (tcp://127.0.0.1:0 picks a free port)");
        var echo = new Option<bool>("--echo")
        {
            Description = "Answer each request with its own service ID and body, and echo stream messages",
        };
        var command = new Command("listen", "Accept connections and print every request and stream message: request SERVICE_ID BODY, stream SERVICE_ID BODY")
        {
            address,
            echo,
        };
        common.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() =>
        {
            var printer = new MessagePrinter(new LineWriter(Console.Out), common.GetDisplay(parse), parse.GetValue(common.Json));
            return Connector.RunServerAsync(
                parse.GetValue(address)!,
                common.GetSettings(parse),
                Console.Out,
                new Session(printer, parse.GetValue(echo)),
                cancellationToken);
        }));
        return command;
    }

    private sealed class Session(MessagePrinter printer, bool echo) : IServerSession
    {
        public async Task<int> RunAsync<TBody, TInfo>(PeerListener<TBody, TInfo> listener, CancellationToken cancellationToken)
            where TBody : IMessageBody<TBody>
            where TInfo : ConnectionInfo
        {
            var connections = new List<Task>();
            var count = 0;
            try
            {
                while (true)
                {
                    var (peer, info) = await listener.AcceptAsync(cancellationToken);
                    var number = ++count;
                    await Console.Error.WriteLineAsync($"connection {number} from {Describe(info)}");
                    connections.RemoveAll(task => task.IsCompleted);
                    connections.Add(ServeAsync(peer, number, cancellationToken));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: stop accepting, end every connection, exit 0.
            }

            await Task.WhenAll(connections);
            return ExitCodes.Success;
        }

        private async Task ServeAsync<TBody>(PeerHandle<TBody> peer, int number, CancellationToken cancellationToken)
            where TBody : IMessageBody<TBody>
        {
            await using (peer)
            {
                void Connection(System.Text.Json.Utf8JsonWriter writer) => writer.WriteNumber("connection", number);
                while (true)
                {
                    ReceivedMessage<TBody> message;
                    try
                    {
                        message = await peer.ReceiveMessageAsync(cancellationToken);
                    }
                    catch (RpcProtocolException e) when (!e.IsFatal)
                    {
                        await Console.Error.WriteLineAsync($"connection {number}: {e.Message}");
                        continue;
                    }
                    catch (Exception e) when (e is OperationCanceledException or ConnectionClosedException)
                    {
                        var why = e is ConnectionClosedException closed ? CommandRunner.Describe(closed) : "stopped";
                        await Console.Error.WriteLineAsync($"connection {number} ended: {why}");
                        return;
                    }

                    try
                    {
                        await AnswerAsync(peer, message, Connection, cancellationToken);
                    }
                    catch (Exception e) when (e is OperationCanceledException or ConnectionClosedException or MessageTooLargeException)
                    {
                        await Console.Error.WriteLineAsync($"connection {number}: cannot answer: {e.Message}");
                    }
                }
            }
        }

        private async Task AnswerAsync<TBody>(
            PeerHandle<TBody> peer, ReceivedMessage<TBody> message, Action<System.Text.Json.Utf8JsonWriter> connection, CancellationToken cancellationToken)
            where TBody : IMessageBody<TBody>
        {
            var body = message.Message.Body;
            printer.Print(MessagePrinter.TypeOf(message.Header), message.Header, body.Data, connection);
            if (message.TryGetRequest(out var request))
            {
                await using (request)
                {
                    // The echoed body is the request's own: the request keeps no other use of it.
                    if (echo)
                        await request.SendResponseAsync(request.ServiceId, TBody.FromBytes(body.Data.ToArray()), cancellationToken);
                    else
                        await request.SendErrorResponseAsync(NotServedText, cancellationToken);
                }

                body.Dispose();
            }
            else if (echo)
            {
                await peer.SendStreamAsync(message.Header.ServiceId, body, cancellationToken);
            }
            else
            {
                body.Dispose();
            }
        }

        private static string Describe(ConnectionInfo info) => info switch
        {
            FizyrRpc.Transports.TcpConnectionInfo tcp => tcp.RemoteEndPoint.ToString(),
            FizyrRpc.Transports.UnixConnectionInfo { Credentials: { } credentials } => $"pid {credentials.ProcessId}, uid {credentials.UserId}",
            _ => "a client",
        };
    }
}
