namespace FizyrRpc.ConcurrencyTests;

/// <summary>
/// The races of closing, cancelling and responding, written against the public handles only (PeerHandle, SentRequest,
/// ReceivedRequest) so a refactoring of the engine's insides keeps them. Each runs a client and a server over
/// <see cref="MemoryTransport"/>; the seeded <see cref="Schedule"/> perturbs the interleaving at each step. Every test
/// ends by closing both peers and waiting for everything it started: a call, a read or a close that never completes is
/// a hang the runner reports.
/// </summary>
internal static class Races
{
    private static readonly StreamBody Ping = new("ping"u8.ToArray());

    public static readonly (string Name, string What, Func<bool, Task> Run)[] All =
    [
        ("respond-vs-close", "a response races the server disposing its handle: the call gets the response, the documented 'unexpected request' error or a ConnectionClosedException", RespondVersusCloseAsync),
        ("cancel-vs-response", "a cancelled wait races the response: the call gets either, and the connection serves the next call", CancelVersusResponseAsync),
        ("updates-vs-dispose", "updates race the caller disposing the request: those read are in order, the next call is served", UpdatesVersusDisposeAsync),
        ("dispose-vs-respond", "the handler's response races its disposal: the caller gets exactly one answer, the response or the dropped-request error", DisposeVersusRespondAsync),
        ("sends-vs-close", "calls race the client closing once the first is answered: each gets its response or a ConnectionClosedException", SendsVersusCloseAsync),
    ];

    /// <summary>The invariants' check: a broken one fails the iteration with its message.</summary>
    private static class Check
    {
        public static void That(bool condition, string message)
        {
            if (!condition)
                throw new InvariantException(message);
        }
    }

    private static (PeerHandle<StreamBody> Client, PeerHandle<StreamBody> Server) Pair(bool planted)
    {
        var (a, b) = MemoryTransport.CreatePair(planted);
        return (Peer.Start(a), Peer.Start(b));
    }

    // The server side: answers every request with what the handler does, each request on its own task, until the
    // connection ends. A test that disposes the server handle while it is read says so: the read then ends with
    // ObjectDisposedException or InvalidOperationException (the handle's documented errors for use after disposal).
    private static Task ServeAsync(PeerHandle<StreamBody> server, Func<ReceivedRequest<StreamBody>, Task> handle, bool disposedWhileRead = false) => Task.Run(async () =>
    {
        var handlers = new List<Task>();
        try
        {
            await foreach (var message in server.ReadMessagesAsync())
            {
                if (message.TryGetRequest(out var request))
                    handlers.Add(Task.Run(() => handle(request)));
            }
        }
        catch (ConnectionClosedException)
        {
        }
        catch (Exception error) when (disposedWhileRead && error is ObjectDisposedException or InvalidOperationException)
        {
        }

        await Task.WhenAll(handlers);
    });

    private static async Task EchoAsync(ReceivedRequest<StreamBody> request)
    {
        await using (request)
        {
            try
            {
                await request.SendResponseAsync(0, request.Body);
            }
            catch (ConnectionClosedException)
            {
            }
        }
    }

    // A call's outcome: the response's body, or the typed error of a closed connection.
    private static async Task<string> CallAsync(PeerHandle<StreamBody> client, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var request = await client.SendRequestAsync(1, Ping, cancellationToken);
            var response = await request.ReceiveResponseAsync(cancellationToken);
            return response.Header.IsErrorResponse ? "error: " + response.Body.ToUtf8String() : response.Body.ToUtf8String();
        }
        catch (ConnectionClosedException)
        {
            return "closed";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return "cancelled";
        }
    }

    // Ends a test: optionally checks that the connection still serves a call, then closes the client, waits for the
    // server to read the end of the connection, and disposes the server.
    private static async Task EndAsync(PeerHandle<StreamBody> client, PeerHandle<StreamBody> server, Task serving, bool expectServed = false)
    {
        if (expectServed)
        {
            var next = await CallAsync(client);
            Check.That(next == "ping", $"the next call ended with '{next}'");
        }

        await client.DisposeAsync();
        await serving;
        await server.DisposeAsync();
    }

    private static async Task RespondVersusCloseAsync(bool planted)
    {
        var (client, server) = Pair(planted);
        var serving = ServeAsync(server, EchoAsync, disposedWhileRead: true);
        var call = Task.Run(() => CallAsync(client));
        var close = Task.Run(async () => { await Schedule.PointAsync(); await server.DisposeAsync(); });
        var outcome = await call;
        Check.That(outcome is "ping" or "closed" or "error: unexpected request for service 1", $"the call ended with '{outcome}'");
        await close;
        await client.DisposeAsync();
        await serving;
    }

    private static async Task CancelVersusResponseAsync(bool planted)
    {
        var (client, server) = Pair(planted);
        var serving = ServeAsync(server, EchoAsync);
        using var cancel = new CancellationTokenSource();
        var call = Task.Run(() => CallAsync(client, cancel.Token));
        var canceller = Task.Run(async () => { await Schedule.PointAsync(); await cancel.CancelAsync(); });
        var outcome = await call;
        Check.That(outcome is "ping" or "cancelled", $"the call ended with '{outcome}'");
        await canceller;
        await EndAsync(client, server, serving, expectServed: true);
    }

    private static async Task UpdatesVersusDisposeAsync(bool planted)
    {
        var (client, server) = Pair(planted);
        var serving = ServeAsync(server, async request =>
        {
            if (request.ServiceId != 2)
            {
                await EchoAsync(request);
                return;
            }

            await using (request)
            {
                try
                {
                    for (var i = 0; i < 3; i++)
                    {
                        await Schedule.PointAsync();
                        await request.SendUpdateAsync(i, Ping);
                    }
                    await request.SendResponseAsync(0, request.Body);
                }
                catch (Exception error) when (error is ConnectionClosedException or RequestClosedException)
                {
                }
            }
        });
        var sent = await client.SendRequestAsync(2, Ping); // service 2: three updates, then the response
        var read = new List<int>();
        var reader = Task.Run(async () =>
        {
            try
            {
                while (await sent.ReceiveUpdateAsync() is { } update)
                    read.Add(update.Header.ServiceId);
            }
            catch (Exception error) when (error is ConnectionClosedException or RequestClosedException or ObjectDisposedException)
            {
            }
        });
        var disposer = Task.Run(async () => { await Schedule.PointAsync(); await sent.DisposeAsync(); });
        await reader;
        await disposer;
        for (var i = 0; i < read.Count; i++)
            Check.That(read[i] == i, $"updates read out of order: {string.Join(",", read)}");
        await EndAsync(client, server, serving, expectServed: true);
    }

    private static async Task DisposeVersusRespondAsync(bool planted)
    {
        var (client, server) = Pair(planted);
        var serving = ServeAsync(server, async request =>
        {
            var respond = Task.Run(async () =>
            {
                await Schedule.PointAsync();
                try
                {
                    await request.SendResponseAsync(0, request.Body);
                }
                catch (Exception error) when (error is RequestClosedException or ObjectDisposedException)
                {
                    // Disposed first: disposal sent the dropped-request error instead.
                }
            });
            var dispose = Task.Run(async () => { await Schedule.PointAsync(); await request.DisposeAsync(); });
            await respond;
            await dispose;
        });
        var outcome = await CallAsync(client);
        Check.That(outcome is "ping" or $"error: {ReceivedRequest<StreamBody>.DroppedErrorText}", $"the call ended with '{outcome}'");
        await EndAsync(client, server, serving);
    }

    private static async Task SendsVersusCloseAsync(bool planted)
    {
        var (client, server) = Pair(planted);
        var serving = ServeAsync(server, EchoAsync);
        var calls = Enumerable.Range(0, 3).Select(_ => Task.Run(() => CallAsync(client))).ToList();
        // The call that ended first is taken where the close is decided: a WhenAny made later could return (in list
        // order) a call that ended after the close, when several have ended by then.
        var close = Task.Run(async () =>
        {
            var endedFirst = await Task.WhenAny(calls);
            await Schedule.PointAsync();
            await client.CloseAsync();
            return endedFirst;
        });
        var first = await await close;
        Check.That(first == "ping", $"the first call to end, before any close, ended with '{first}'");
        foreach (var call in calls)
        {
            var outcome = await call;
            Check.That(outcome is "ping" or "closed", $"a call ended with '{outcome}'");
        }

        await EndAsync(client, server, serving);
    }
}

/// <summary>An invariant of a race did not hold.</summary>
internal sealed class InvariantException(string message) : Exception(message);
