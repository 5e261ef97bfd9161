using System.Collections.Concurrent;
using System.Threading.Channels;

namespace FizyrRpc.Samples.Conformance;

/// <summary>A request the server sent to the client, as it came.</summary>
/// <param name="ServiceId">The service the server asked for.</param>
/// <param name="Body">The request's body.</param>
internal sealed record IncomingRequest(int ServiceId, byte[] Body);

/// <summary>
/// The client's connection: the write side the cases send on, and a reader task that answers the server's own
/// requests (service 1 as echo, anything else with an error) and collects what the server sent on its own initiative,
/// so the cases can check it.
/// </summary>
internal sealed class ClientSession : IAsyncDisposable
{
    private readonly PeerReadHandle<StreamBody> _read;
    private readonly Channel<Message<StreamBody>> _streams = Channel.CreateUnbounded<Message<StreamBody>>();
    private readonly Channel<IncomingRequest> _requests = Channel.CreateUnbounded<IncomingRequest>();
    private readonly ConcurrentQueue<string> _droppedMessages = new();
    private readonly Task _reader;

    private ClientSession(PeerHandle<StreamBody> peer)
    {
        (_read, Write) = peer.Split();
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>The write side: safe to use from many tasks at once.</summary>
    public PeerWriteHandle<StreamBody> Write { get; }

    /// <summary>The stream messages the server sent, in order.</summary>
    public ChannelReader<Message<StreamBody>> Streams => _streams.Reader;

    /// <summary>The requests the server sent (already answered), in order.</summary>
    public ChannelReader<IncomingRequest> Requests => _requests.Reader;

    /// <summary>Messages from the server that the peer dropped as protocol errors (unknown request ID, duplicate ID).</summary>
    public IReadOnlyCollection<string> DroppedMessages => _droppedMessages;

    /// <summary>Connects to <paramref name="endpoint"/> and starts reading.</summary>
    public static async Task<ClientSession> ConnectAsync(ConformanceEndpoint endpoint, CancellationToken cancellationToken) =>
        new(await endpoint.ConnectAsync(cancellationToken));

    private async Task ReadAsync()
    {
        Exception? end = null;
        try
        {
            while (true)
            {
                ReceivedMessage<StreamBody> message;
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
                else
                    _streams.Writer.TryWrite(message.Message);
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

    private async Task AnswerAsync(ReceivedRequest<StreamBody> request)
    {
        using (request)
        {
            // Recorded before answering: the server's reply to the case's own request can only come after the answer.
            _requests.Writer.TryWrite(new IncomingRequest(request.ServiceId, request.Body.Data.ToArray()));
            if (request.ServiceId == Scenario.EchoService)
                await request.SendResponseAsync(Scenario.SuccessServiceId, request.Body);
            else
                await request.SendErrorResponseAsync($"unexpected request for service {request.ServiceId}");
        }
    }

    /// <summary>Closes the connection (what is queued is still written) and waits for the reader to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await Write.CloseAsync();
        await _reader;
        await _read.DisposeAsync();
        await Write.DisposeAsync();
    }
}
