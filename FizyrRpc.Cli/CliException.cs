namespace FizyrRpc.Cli;

/// <summary>The exit codes of every command (the first four are fixed: scripts test them).</summary>
internal static class ExitCodes
{
    /// <summary>Success (for <c>call</c>: a success response).</summary>
    public const int Success = 0;

    /// <summary>An error response (service ID -1) came back, or a benchmark request got one.</summary>
    public const int ErrorResponse = 1;

    /// <summary>The command line is wrong.</summary>
    public const int Usage = 2;

    /// <summary>The connection could not be made, or was lost before the command finished.</summary>
    public const int ConnectionFailed = 3;

    /// <summary><c>call --timeout</c> passed before the response came.</summary>
    public const int Timeout = 4;

    /// <summary>A bug in the tool: an exception nothing expected (EX_SOFTWARE).</summary>
    public const int InternalError = 70;
}

/// <summary>Ends a command with an exit code and a message for standard error.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    /// <summary>The process's exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
