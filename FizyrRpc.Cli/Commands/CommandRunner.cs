using FizyrRpc.Cli.Addressing;

namespace FizyrRpc.Cli.Commands;

/// <summary>Turns the failures of a command into its exit code and one message on standard error.</summary>
internal static class CommandRunner
{
    /// <summary>Runs a command's action: a <see cref="CliException"/> becomes "fizyr-rpc: MESSAGE" and its exit code.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"fizyr-rpc: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never exit 1 (an error response) or 3 for a bug of the tool.
            await Console.Error.WriteLineAsync($"fizyr-rpc: unexpected error: {e}");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>Runs the part of a command that uses a connection: a lost connection is exit code 3, an oversized body 2.</summary>
    public static async Task<int> OnConnectionAsync(RpcAddress address, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (ConnectionClosedException e)
        {
            throw new CliException(ExitCodes.ConnectionFailed, $"connection to {address} lost: {Describe(e)}");
        }
        catch (MessageTooLargeException e)
        {
            throw new CliException(ExitCodes.Usage, $"{e.Message} (see --max-body-write)");
        }
    }

    /// <summary>The message of an exception and of its cause, if any.</summary>
    public static string Describe(Exception e) => e.InnerException is { } cause ? $"{e.Message} {cause.Message}" : e.Message;
}
