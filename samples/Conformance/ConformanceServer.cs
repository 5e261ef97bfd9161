using System.Buffers.Binary;
using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// Serves the conformance scenario (see <see cref="Scenario"/>) on every connection a listener accepts. Each connection
/// is served by its own task, each request by its own task, so a slow conversation never holds up another. Errors of
/// one connection are logged and end only that connection.
/// </summary>
public static class ConformanceServer
{
    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled, logging to standard error.</summary>
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
    public static async Task RunAsync<TInfo>(PeerListener<StreamBody, TInfo> listener, TextWriter log, CancellationToken cancellationToken)
        where TInfo : ConnectionInfo
    {
        ArgumentNullException.ThrowIfNull(listener);
        ArgumentNullException.ThrowIfNull(log);
        log = TextWriter.Synchronized(log);
        var connections = new RunningTasks();
        var connectionCount = 0L;
        // Also stops the connections when accepting fails for good, so this never returns with connections still open.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                AcceptedPeer<StreamBody, TInfo> accepted;
                try
                {
                    accepted = await listener.AcceptAsync(stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }

                var name = $"connection {++connectionCount} ({Describe(accepted.Info)})";
                connections.Add(ServeConnectionAsync(accepted.Peer, name, log, stop.Token));
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

    /// <summary>Reads one connection's requests and stream messages until it ends; never throws.</summary>
    private static async Task ServeConnectionAsync(PeerHandle<StreamBody> peer, string name, TextWriter log, CancellationToken cancellationToken)
    {
        await Task.Yield(); // the accept loop goes on at once
        var (read, write) = peer.Split();
        var requests = new RunningTasks();
        try
        {
            while (true)
            {
                ReceivedMessage<StreamBody> message;
                try
                {
                    message = await read.ReceiveMessageAsync(cancellationToken);
                }
                catch (RpcProtocolException error) when (!error.IsFatal)
                {
                    // The peer dropped that one message (unknown or duplicate request ID); the connection goes on.
                    log.WriteLine($"{name}: {error.Message}");
                    continue;
                }

                if (message.TryGetRequest(out var request))
                    requests.Add(Task.Run(() => ServeRequestAsync(request, write, name, log, cancellationToken), CancellationToken.None));
                else
                    await write.SendStreamAsync(message.Header.ServiceId, message.Message.Body, cancellationToken);
            }
        }
        catch (ConnectionClosedException closed)
        {
            if (closed.Reason is CloseReason.ProtocolError or CloseReason.TransportError)
                log.WriteLine($"{name}: {closed.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
        catch (Exception error)
        {
            log.WriteLine($"{name}: unexpected error: {error}");
        }
        finally
        {
            // When the server stops, the request tasks see the same token and end first: each open request is then
            // answered with an error response before the close. Otherwise the connection has already ended, and
            // closing makes every open conversation fail at once. Either way the close still writes what is queued.
            if (!cancellationToken.IsCancellationRequested)
                await write.CloseAsync();
            await requests.WhenAllAsync();
            await write.CloseAsync();
            await read.DisposeAsync();
            await write.DisposeAsync();
        }
    }

    /// <summary>
    /// Serves one request; never throws. A request left unanswered (the server stopping, an unexpected error) is
    /// answered with the error response "request dropped without a response" when it is disposed.
    /// </summary>
    private static async Task ServeRequestAsync(
        ReceivedRequest<StreamBody> request,
        PeerWriteHandle<StreamBody> write,
        string name,
        TextWriter log,
        CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                await (request.ServiceId switch
                {
                    Scenario.EchoService => request.SendResponseAsync(Scenario.SuccessServiceId, request.Body, cancellationToken),
                    Scenario.ProgressService => ProgressAsync(request, cancellationToken),
                    Scenario.FailService => request.SendErrorResponseAsync(Scenario.FailText, cancellationToken),
                    Scenario.ChatService => ChatAsync(request, cancellationToken),
                    Scenario.BigService => BigAsync(request, cancellationToken),
                    Scenario.CallBackService => CallBackAsync(request, write, cancellationToken),
                    _ => request.SendErrorResponseAsync(Scenario.UnknownServiceText(request.ServiceId), cancellationToken),
                });
            }
            catch (ConnectionClosedException)
            {
                // The connection ended mid-conversation: nobody is left to answer, and the connection logs why.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The server is stopping.
            }
            catch (Exception error)
            {
                log.WriteLine($"{name}: request {request.RequestId} for service {request.ServiceId} failed: {error}");
            }
        }
    }

    private static async ValueTask ProgressAsync(ReceivedRequest<StreamBody> request, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Scenario.ProgressUpdateCount; i++)
            await request.SendUpdateAsync(Scenario.ProgressUpdateServiceId, StreamBody.FromString(Scenario.ProgressUpdateText(i)), cancellationToken);
        await request.SendResponseAsync(Scenario.SuccessServiceId, StreamBody.FromString(Scenario.ProgressDoneText), cancellationToken);
    }

    private static async ValueTask ChatAsync(ReceivedRequest<StreamBody> request, CancellationToken cancellationToken)
    {
        while (await request.ReceiveUpdateAsync(cancellationToken) is { } update)
        {
            if (update.ServiceId == Scenario.ChatEndServiceId)
            {
                await request.SendResponseAsync(Scenario.SuccessServiceId, StreamBody.FromString(Scenario.ChatByeText), cancellationToken);
                return;
            }

            await request.SendUpdateAsync(update.ServiceId, update.Body, cancellationToken);
        }
    }

    private static ValueTask BigAsync(ReceivedRequest<StreamBody> request, CancellationToken cancellationToken)
    {
        if (request.Body.Length != sizeof(uint))
            return request.SendErrorResponseAsync($"big: expected a 4-byte little-endian length, got {request.Body.Length} bytes", cancellationToken);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(request.Body.Span);
        if (length > Scenario.MaxBodyLength)
            return request.SendErrorResponseAsync($"big: {length} bytes is above the maximum body of {Scenario.MaxBodyLength} bytes", cancellationToken);
        return request.SendResponseAsync(Scenario.SuccessServiceId, Scenario.BigBody((int)length), cancellationToken);
    }

    private static async ValueTask CallBackAsync(ReceivedRequest<StreamBody> request, PeerWriteHandle<StreamBody> write, CancellationToken cancellationToken)
    {
        using var callBack = await write.SendRequestAsync(Scenario.EchoService, request.Body, cancellationToken);
        // Updates to the call-back mean nothing in the scenario: skip them to reach the response.
        while (await callBack.ReceiveUpdateAsync(cancellationToken) is not null)
        {
        }

        var answer = await callBack.ReceiveResponseAsync(cancellationToken);
        if (answer.IsErrorResponse)
            await request.SendErrorResponseAsync($"call-back failed: {answer.GetErrorMessage()}", cancellationToken);
        else
            await request.SendResponseAsync(Scenario.SuccessServiceId, answer.Body, cancellationToken);
    }
}
