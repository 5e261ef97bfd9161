using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// Serves the conformance scenario (see <see cref="Scenario"/>) on every connection a listener accepts: the byte-stream
/// transports (TCP, Unix stream) and Unix seqpacket, which adds the fd service (<see cref="Scenario.FdService"/>) and
/// has a smaller body limit. Each connection is served by its own task, each request by its own task, so a slow
/// conversation never holds up another. Errors of one connection are logged and end only that connection.
/// </summary>
public static class ConformanceServer
{
    /// <summary>Serves a byte-stream listener until <paramref name="cancellationToken"/> is cancelled, logging to standard error.</summary>
    public static Task RunAsync<TInfo>(PeerListener<StreamBody, TInfo> listener, CancellationToken cancellationToken)
        where TInfo : ConnectionInfo =>
        RunAsync(listener, Console.Error, cancellationToken);

    /// <summary>
    /// Accepts and serves connections until <paramref name="cancellationToken"/> is cancelled (or accepting fails for
    /// good), then closes every connection and returns once all of them have ended. The listener stays the caller's.
    /// </summary>
    /// <param name="listener">Where connections come from.</param>
    /// <param name="log">Where per-connection errors go.</param>
    /// <param name="cancellationToken">Stops the server.</param>
    public static Task RunAsync<TInfo>(PeerListener<StreamBody, TInfo> listener, TextWriter log, CancellationToken cancellationToken)
        where TInfo : ConnectionInfo =>
        new ScenarioServer<StreamBody>(ServerProfiles.Stream, log).RunAsync(listener, cancellationToken);

    /// <summary>Serves a seqpacket listener until <paramref name="cancellationToken"/> is cancelled, logging to standard error.</summary>
    public static Task RunAsync<TInfo>(PeerListener<UnixBody, TInfo> listener, CancellationToken cancellationToken)
        where TInfo : ConnectionInfo =>
        RunAsync(listener, Console.Error, cancellationToken);

    /// <inheritdoc cref="RunAsync{TInfo}(PeerListener{StreamBody, TInfo}, TextWriter, CancellationToken)"/>
    /// <remarks>Bind the listener with <see cref="Scenario.CreateUnixConfig"/>: the scenario's limits on seqpacket.</remarks>
    public static Task RunAsync<TInfo>(PeerListener<UnixBody, TInfo> listener, TextWriter log, CancellationToken cancellationToken)
        where TInfo : ConnectionInfo =>
        new ScenarioServer<UnixBody>(ServerProfiles.Seqpacket, log).RunAsync(listener, cancellationToken);
}
