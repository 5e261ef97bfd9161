using System.CommandLine;
using System.CommandLine.Invocation;
using FizyrRpc.Cli;
using FizyrRpc.Cli.Commands;

// fizyr-rpc: call, stream, listen, tap and bench over tcp://, unix: and unix-seqpacket: addresses.
var common = new CommonOptions();
var root = new RootCommand("fizyr-rpc: talk to, watch and measure Fizyr RPC peers over TCP, Unix stream and Unix seqpacket sockets.")
{
    CallCommand.Create(common),
    StreamCommand.Create(common),
    ListenCommand.Create(common),
    TapCommand.Create(common),
    BenchCommand.Create(common),
};

var parse = root.Parse(args);
if (parse.Action is ParseErrorAction usageError)
{
    // The errors and a pointer to the help, not the whole help; and exit code 2, since 1 means an error response here.
    usageError.ShowHelp = false;
    await parse.InvokeAsync();
    var command = string.Join(' ', parse.CommandResult.Command.Parents.OfType<Command>().Reverse().Select(c => c.Name).Append(parse.CommandResult.Command.Name).Skip(1));
    await Console.Error.WriteLineAsync($"Run 'fizyr-rpc {command}{(command.Length > 0 ? " " : "")}--help' for usage.");
    return ExitCodes.Usage;
}

// Ctrl+C and SIGTERM cancel the command's token; a command that has not ended after the grace time exits 130 (143).
// Closing connections and listeners takes well under a second, but a loaded machine can stretch it past 2 s.
using var signals = new StopSignals(TimeSpan.FromSeconds(10));
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
