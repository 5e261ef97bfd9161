using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using FizyrRpc.Cli.Addressing;
using FizyrRpc.Cli.Output;

namespace FizyrRpc.Cli.Commands;

/// <summary>
/// <c>fizyr-rpc call ADDRESS SERVICE</c>: sends one request (and the given requester updates) and prints every
/// message that comes for it. Exit 0 on a success response, 1 on an error response, 3 when the connection fails, 4 on
/// <c>--timeout</c>.
/// </summary>
internal static class CallCommand
{
    public static Command Create(CommonOptions common)
    {
        var address = CommonOptions.AddressArgument("ADDRESS", "The server");
        var service = new Argument<int>("SERVICE") { Description = "The service ID of the request" };
        var body = new BodyOptions();
        var updates = new Option<string[]>("--update")
        {
            Description = "A requester update to send after the request, as ID:TEXT (repeatable, sent in order)",
            HelpName = "ID:TEXT",
            AllowMultipleArgumentsPerToken = false,
        };
        updates.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!TryParseUpdate(token.Value, out _, out _))
                    result.AddError($"--update '{token.Value}' is not ID:TEXT (ID an integer).");
            }
        });
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Give up (exit 4) when the response has not come within this many seconds [default: wait]",
            HelpName = "SECONDS",
        };
        timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is <= 0)
                result.AddError("--timeout must be more than 0 seconds.");
        });

        var command = new Command("call", "Send one request and print every message that comes for it: update SERVICE_ID BODY, response SERVICE_ID BODY, or error TEXT")
        {
            address,
            service,
            updates,
            timeout,
        };
        body.AddTo(command);
        common.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var printer = new MessagePrinter(new LineWriter(Console.Out), common.GetDisplay(parse), parse.GetValue(common.Json));
            var session = new Session(
                parse.GetValue(service),
                parse.GetValue(address)!,
                body.GetBody(parse),
                [.. (parse.GetValue(updates) ?? []).Select(ParseUpdate)],
                printer);
            var seconds = parse.GetValue(timeout);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (seconds is { } s)
                deadline.CancelAfter(TimeSpan.FromSeconds(s));
            try
            {
                return await Connector.RunClientAsync(parse.GetValue(address)!, common.GetSettings(parse), session, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Timeout, $"no response within {seconds!.Value.ToString(CultureInfo.InvariantCulture)} s");
            }
        }));
        return command;
    }

    private static (int Id, byte[] Body) ParseUpdate(string text) =>
        TryParseUpdate(text, out var id, out var body) ? (id, body) : throw new CliException(ExitCodes.Usage, $"invalid --update '{text}'");

    private static bool TryParseUpdate(string text, out int id, out byte[] body)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        body = colon < 0 ? [] : System.Text.Encoding.UTF8.GetBytes(text[(colon + 1)..]);
        id = 0;
        return colon > 0 && int.TryParse(text.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out id);
    }

    private sealed class Session(int serviceId, RpcAddress address, byte[] body, (int Id, byte[] Body)[] updates, MessagePrinter printer) : IClientSession
    {
        public async Task<int> RunAsync<TBody>(PeerFactory<TBody> connect, CancellationToken cancellationToken)
            where TBody : IMessageBody<TBody>
        {
            await using var peer = await connect(cancellationToken);
            return await CommandRunner.OnConnectionAsync(address, async () =>
            {
                using var request = await peer.SendRequestAsync(serviceId, TBody.FromBytes(body), cancellationToken);
                foreach (var (id, update) in updates)
                    await request.SendUpdateAsync(id, TBody.FromBytes(update), cancellationToken);

                while (await request.ReceiveUpdateAsync(cancellationToken) is { } message)
                {
                    using (message.Body)
                        printer.Print("update", message.Header, message.Body.Data);
                }

                var response = await request.ReceiveResponseAsync(cancellationToken);
                using (response.Body)
                    printer.Print(MessagePrinter.TypeOf(response.Header), response.Header, response.Body.Data);
                return response.IsErrorResponse ? ExitCodes.ErrorResponse : ExitCodes.Success;
            });
        }
    }
}
