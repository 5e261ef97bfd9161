namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// Serves one connection: reads its requests and stream messages until it ends, each request on its own task, at most
/// <see cref="MaxRunningRequests"/> big replies at once.
/// <para>
/// Descriptors (seqpacket): every body received is disposed once handled, which closes the descriptors it carried.
/// Replies are always fresh bodies made with <c>TBody.FromBytes</c>, so an echo (request, chat update, stream message,
/// call-back answer) returns the bytes and closes the descriptors that came with them rather than passing them on.
/// The only descriptors the server sends are the new memfds of the fd service.
/// </para>
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
internal sealed class ServerConnection<TBody>
    where TBody : IMessageBody<TBody>
{
    private readonly PeerReadHandle<TBody> _read;
    private readonly PeerWriteHandle<TBody> _write;
    private readonly ServerProfile<TBody> _profile;
    private readonly string _name;
    private readonly TextWriter _log;
    private readonly RunningTasks _requests = new();
    private readonly SemaphoreSlim _running = new(MaxRunningRequests, MaxRunningRequests);

    /// <summary>
    /// How many big replies of one connection are made at once. What a handler allocates for its answer (a 1 MiB big reply) is
    /// the application's, which the engine cannot bound: it stops reading once answers wait to be written
    /// (<see cref="PeerOptions.MaxOpenReceivedRequestBytes"/>), but not before the handlers already started have made
    /// theirs. So further requests wait in the engine's bounded incoming queue, and behind it the socket is not read.
    /// </summary>
    public const int MaxRunningRequests = 4;

    public ServerConnection(PeerHandle<TBody> peer, ServerProfile<TBody> profile, string name, TextWriter log)
    {
        (_read, _write) = peer.Split();
        _profile = profile;
        _name = name;
        _log = log;
    }

    /// <summary>Serves until the connection ends or <paramref name="cancellationToken"/> stops the server; never throws.</summary>
    public async Task ServeAsync(CancellationToken cancellationToken)
    {
        await Task.Yield(); // the accept loop goes on at once
        try
        {
            while (true)
            {
                ReceivedMessage<TBody> message;
                try
                {
                    message = await _read.ReceiveMessageAsync(cancellationToken);
                }
                catch (RpcProtocolException error) when (!error.IsFatal)
                {
                    // The peer dropped that one message (unknown or duplicate request ID, a malformed datagram); the connection goes on.
                    _log.WriteLine($"{_name}: {error.Message}");
                    continue;
                }

                if (message.TryGetRequest(out var request))
                {
                    var limited = TakesSlot(request.ServiceId);
                    try
                    {
                        if (limited)
                            await _running.WaitAsync(cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        request.Dispose(); // the server is stopping: answered with the dropped-request error
                        request.Body.Dispose();
                        throw;
                    }

                    if (request.IsClosed)
                    {
                        // The connection ended while the request waited: no answer can be sent, so it is not served.
                        if (limited)
                            _running.Release();
                        request.Dispose();
                        request.Body.Dispose();
                        continue;
                    }

                    _requests.Add(Task.Run(() => ServeRequestAsync(request, limited, cancellationToken), CancellationToken.None));
                }
                else
                    await EchoStreamAsync(message.Message, cancellationToken);
            }
        }
        catch (ConnectionClosedException closed)
        {
            if (closed.Reason is CloseReason.ProtocolError or CloseReason.TransportError)
                _log.WriteLine($"{_name}: {closed.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
        catch (Exception error)
        {
            _log.WriteLine($"{_name}: unexpected error: {error}");
        }
        finally
        {
            // When the server stops, the request tasks see the same token and end first: each open request is then
            // answered with an error response before the close. Otherwise the connection has already ended, and
            // closing makes every open conversation fail at once. Either way the close still writes what is queued.
            if (!cancellationToken.IsCancellationRequested)
                await _write.CloseAsync();
            await _requests.WhenAllAsync();
            await _write.CloseAsync();
            await _read.DisposeAsync();
            await _write.DisposeAsync();
        }
    }

    private async ValueTask EchoStreamAsync(Message<TBody> stream, CancellationToken cancellationToken)
    {
        using (stream.Body)
            await _write.SendStreamAsync(stream.ServiceId, TBody.FromBytes(stream.Body.Data), cancellationToken);
    }

    /// <summary>
    /// Serves one request, then disposes its body; never throws. A request left unanswered (the server stopping, an
    /// unexpected error) is answered with the error response "request dropped without a response" when it is disposed.
    /// </summary>
    private async Task ServeRequestAsync(ReceivedRequest<TBody> request, bool limited, CancellationToken cancellationToken)
    {
        using (request)
        using (request.Body)
        {
            try
            {
                await (_profile.ExtraServices.TryGetValue(request.ServiceId, out var extra)
                    ? extra(request, cancellationToken)
                    : ScenarioServices<TBody>.ServeAsync(request, _write, _profile, cancellationToken));
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
                _log.WriteLine($"{_name}: request {request.RequestId} for service {request.ServiceId} failed: {error}");
            }
            finally
            {
                if (limited)
                    _running.Release();
            }
        }
    }

    // Only the big reply takes a slot: it is the one service whose answer is far larger than its request (up to the
    // maximum body for 4 bytes), which the engine cannot bound before it is made. Every other answer is at most the
    // size of what was received, which the engine's byte bounds already hold; and conversations that wait on the remote
    // (chat, call-back) must not hold a slot, or a remote with many open at once would stall its own conversations.
    private static bool TakesSlot(int serviceId) => serviceId == Scenario.BigService;
}
