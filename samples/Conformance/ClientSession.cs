using System.Collections.Concurrent;
using System.Threading.Channels;

namespace FizyrRpc.Samples.Conformance;

/// <summary>A request the server sent to the client, as it came (its bytes; descriptors, if any, are closed).</summary>
/// <param name="ServiceId">The service the server asked for.</param>
/// <param name="Body">The request's body.</param>
internal sealed record IncomingRequest(int ServiceId, byte[] Body);

/// <summary>
/// The client's connection: the write side the cases send on, and a reader task that answers the server's own
/// requests (service 1 as echo, anything else with an error) and collects what the server sent on its own initiative,
/// so the cases can check it. Like the server, it disposes every body it receives once handled and replies with fresh
/// bodies; stream messages are the reader's to dispose (a case, or <see cref="DisposeAsync"/> for those left over).
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
internal sealed class ClientSession<TBody> : IAsyncDisposable
    where TBody : IMessageBody<TBody>
{
    private readonly PeerReadHandle<TBody> _read;
    private readonly Channel<Message<TBody>> _streams = Channel.CreateUnbounded<Message<TBody>>();
    private readonly Channel<IncomingRequest> _requests = Channel.CreateUnbounded<IncomingRequest>();
    private readonly ConcurrentQueue<string> _droppedMessages = new();
    private readonly Task _reader;

    private ClientSession(PeerHandle<TBody> peer)
    {
        (_read, Write) = peer.Split();
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>The write side: safe to use from many tasks at once.</summary>
    public PeerWriteHandle<TBody> Write { get; }

    /// <summary>The stream messages the server sent, in order; whoever reads one disposes its body.</summary>
    public ChannelReader<Message<TBody>> Streams => _streams.Reader;

    /// <summary>The requests the server sent (already answered), in order.</summary>
    public ChannelReader<IncomingRequest> Requests => _requests.Reader;

    /// <summary>Messages from the server that the peer dropped as protocol errors (unknown request ID, duplicate ID, malformed datagram).</summary>
    public IReadOnlyCollection<string> DroppedMessages => _droppedMessages;

    /// <summary>Connects with <paramref name="connect"/> and starts reading.</summary>
    public static async Task<ClientSession<TBody>> ConnectAsync(
        Func<CancellationToken, Task<PeerHandle<TBody>>> connect,
        CancellationToken cancellationToken) =>
        new(await connect(cancellationToken));

    private async Task ReadAsync()
    {
        Exception? end = null;
        try
        {
            while (true)
            {
                ReceivedMessage<TBody> message;
                try
                {
                    message = await _read.ReceiveMessageAsync();
                }
                catch (RpcProtocolException error) when (!error.IsFatal)
                {
                    _droppedMessages.Enqueue(error.Message);
                    continue;
                }

                if (message.TryGetRequest(out var request))
                    await AnswerAsync(request);
                else if (!_streams.Writer.TryWrite(message.Message))
                    message.Message.Body.Dispose();
            }
        }
        catch (Exception error)
        {
            // Normally the connection closing at the end of the run; a case waiting on a channel then fails with it.
            end = error;
        }
        finally
        {
            _streams.Writer.TryComplete(end);
            _requests.Writer.TryComplete(end);
        }
    }

    private async Task AnswerAsync(ReceivedRequest<TBody> request)
    {
        using (request)
        using (request.Body)
        {
            // Recorded before answering: the server's reply to the case's own request can only come after the answer.
            var body = request.Body.Data.ToArray();
            _requests.Writer.TryWrite(new IncomingRequest(request.ServiceId, body));
            if (request.ServiceId == Scenario.EchoService)
                await request.SendResponseAsync(Scenario.SuccessServiceId, TBody.FromBytes(body));
            else
                await request.SendErrorResponseAsync($"unexpected request for service {request.ServiceId}");
        }
    }

    /// <summary>Closes the connection (what is queued is still written), waits for the reader to end, and disposes unread stream bodies.</summary>
    public async ValueTask DisposeAsync()
    {
        await Write.CloseAsync();
        await _reader;
        await _read.DisposeAsync();
        await Write.DisposeAsync();
        while (_streams.Reader.TryRead(out var stream))
            stream.Body.Dispose();
    }
}
