using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>The server's accept loop, for any transport: one <see cref="ServerConnection{TBody}"/> task per connection.</summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
internal sealed class ScenarioServer<TBody>
    where TBody : IMessageBody<TBody>
{
    private readonly ServerProfile<TBody> _profile;
    private readonly TextWriter _log;

    public ScenarioServer(ServerProfile<TBody> profile, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        _profile = profile;
        _log = TextWriter.Synchronized(log);
    }

    /// <summary>
    /// Accepts and serves connections until <paramref name="cancellationToken"/> is cancelled (or accepting fails for
    /// good), then closes every connection and returns once all of them have ended. The listener stays the caller's.
    /// </summary>
    public async Task RunAsync<TInfo>(PeerListener<TBody, TInfo> listener, CancellationToken cancellationToken)
        where TInfo : ConnectionInfo
    {
        ArgumentNullException.ThrowIfNull(listener);
        var connections = new RunningTasks();
        var connectionCount = 0L;
        // Also stops the connections when accepting fails for good, so this never returns with connections still open.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                AcceptedPeer<TBody, TInfo> accepted;
                try
                {
                    accepted = await listener.AcceptAsync(stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }

                var name = $"connection {++connectionCount} ({Describe(accepted.Info)})";
                var connection = new ServerConnection<TBody>(accepted.Peer, _profile, name, _log);
                connections.Add(connection.ServeAsync(stop.Token));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await connections.WhenAllAsync();
        }
    }

    private static string Describe(ConnectionInfo info) => info switch
    {
        TcpConnectionInfo tcp => $"tcp from {tcp.RemoteEndPoint}",
        UnixConnectionInfo { Credentials: { } credentials } => $"unix from pid {credentials.ProcessId}",
        UnixConnectionInfo => "unix",
        _ => info.ToString(),
    };
}
