using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Diagnostics;

/// <summary>What the diagnostics tests call: one service per outcome. Its name is theirs alone, so their metrics and spans are told apart by it.</summary>
[RpcService]
public partial interface IDiagnosticsProbe
{
    /// <summary>Answers the text.</summary>
    [Service(1)]
    Task<string> EchoAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>Answers with an error on purpose.</summary>
    [Service(2)]
    Task RefuseAsync(string message, CancellationToken cancellationToken = default);

    /// <summary>Throws (a fault).</summary>
    [Service(3)]
    Task BreakAsync(string message, CancellationToken cancellationToken = default);

    /// <summary>Waits until its token is cancelled (the connection closes, or the server stops).</summary>
    [Service(4)]
    Task HoldAsync(CancellationToken cancellationToken = default);
}

/// <summary>The probe's server; <see cref="Holding"/> completes when a Hold handler has started.</summary>
public sealed class DiagnosticsProbeServer(DiagnosticsProbeState state) : IDiagnosticsProbe.ServerBase
{
    protected override Task<string> EchoAsync(string text, EchoContext context) => Task.FromResult(text);

    protected override Task RefuseAsync(string message, RefuseContext context) => throw new RpcErrorResponseException(message);

    protected override Task BreakAsync(string message, BreakContext context)
    {
        state.BreakActivity = System.Diagnostics.Activity.Current;
        throw new InvalidOperationException(message);
    }

    protected override async Task HoldAsync(HoldContext context)
    {
        state.Holding.TrySetResult();
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
    }
}

/// <summary>Shared by the probe's servers and the test.</summary>
public sealed class DiagnosticsProbeState
{
    public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The activity current while the last Break handler ran.</summary>
    public System.Diagnostics.Activity? BreakActivity { get; set; }
}
