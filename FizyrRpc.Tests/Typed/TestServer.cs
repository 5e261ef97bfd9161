using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace FizyrRpc.Tests.Typed;

/// <summary>
/// A hand-written server, shaped like a generated one: <see cref="DispatchAsync"/> switches on the service ID, decodes
/// the request and calls a handler. The handlers report what they see through tasks the tests await.
/// </summary>
public class TestServer(IRpcFormat? format = null) : RpcServerBase<StreamBody>(format ?? MessagePackFormat.Default)
{
    /// <summary>Completes with the handler's token when Wait starts.</summary>
    public TaskCompletionSource<CancellationToken> WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wait answers once this completes.</summary>
    public TaskCompletionSource WaitGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether Wait stops waiting when its token is cancelled (otherwise only the gate releases it).</summary>
    public bool WaitHonoursCancellation { get; init; } = true;

    /// <summary>Completes when Wait ends: null when the gate opened, the exception otherwise.</summary>
    public TaskCompletionSource<Exception?> WaitEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Stream messages received from the client, decoded.</summary>
    public Channel<TestStream> Streams { get; } = Channel.CreateUnbounded<TestStream>();

    /// <summary>What <see cref="OnHandlerError"/> observed.</summary>
    public ConcurrentQueue<(MessageHeader Header, Exception Error)> HandlerErrors { get; } = new();

    /// <summary>Completes with the first exception <see cref="OnHandlerError"/> observes.</summary>
    public TaskCompletionSource<Exception> FirstHandlerError { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async ValueTask DispatchAsync(RpcRequestContext<StreamBody> context)
    {
        switch (context.ServiceId)
        {
            case TestIds.Ping:
                await context.RespondAsync();
                return;
            case TestIds.Add:
            {
                var request = context.DecodeRequest<AddRequest>();
                await context.RespondAsync(request.A + request.B);
                return;
            }

            case TestIds.Echo:
                await context.RespondAsync(context.DecodeRequest<string>());
                return;
            case TestIds.Fail:
                FailDeepInside(context.DecodeRequest<string>());
                return;
            case TestIds.AnswerThenThrow:
                await context.RespondAsync();
                throw new InvalidOperationException("failed after answering");
            case TestIds.Count:
                await context.RespondAsync(await CountAsync(context, context.DecodeRequest<int>()));
                return;
            case TestIds.Wait:
                await context.RespondAsync(await WaitAsync(context.DecodeRequest<string>(), context.CancellationToken));
                return;
            case TestIds.Publish:
                await context.SendStreamAsync(TestIds.Tick, context.DecodeRequest<int>());
                await context.RespondAsync();
                return;
            case TestIds.Secret:
                await context.RespondAsync("hidden but working");
                return;
            default:
                await RespondUnknownServiceAsync(context);
                return;
        }
    }

    // A few frames deep, so the exception has a real stack trace that must not reach the remote.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailDeepInside(string message) => ThrowIt(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowIt(string message) => throw new InvalidOperationException(message);

    private static async Task<CountResult> CountAsync(RpcRequestContext<StreamBody> context, int start)
    {
        if (start < 0)
            throw new RpcErrorResponseException("negative start");

        await context.SendUpdateAsync(TestIds.Progress, start);
        await context.SendUpdateAsync(TestIds.Note, "started");
        await context.Request.SendUpdateAsync(TestIds.UndeclaredUpdate, new byte[] { 1, 2, 3 }, context.CancellationToken);

        var total = start;
        var unknown = 0;
        await foreach (var update in context.ReadUpdatesAsync(CountRequestUpdate.Decode))
        {
            if (update is CountRequestUpdate.Adjust { Delta: 0 })
                break;
            if (update is CountRequestUpdate.Adjust adjust)
                total += adjust.Delta;
            else
                unknown++;
        }

        return new CountResult(total, unknown);
    }

    private async Task<string> WaitAsync(string tag, CancellationToken cancellationToken)
    {
        WaitStarted.TrySetResult(cancellationToken);
        try
        {
            if (WaitHonoursCancellation)
                await WaitGate.Task.WaitAsync(cancellationToken);
            else
                await WaitGate.Task;
            WaitEnded.TrySetResult(null);
            return tag;
        }
        catch (Exception error)
        {
            WaitEnded.TrySetResult(error);
            throw;
        }
    }

    protected override ValueTask OnStreamAsync(Message<StreamBody> stream, PeerWriteHandle<StreamBody> peer, CancellationToken cancellationToken)
    {
        Streams.Writer.TryWrite(TestStream.Decode(Format, stream));
        return default;
    }

    protected override void OnHandlerError(MessageHeader header, Exception error)
    {
        HandlerErrors.Enqueue((header, error));
        FirstHandlerError.TrySetResult(error);
    }
}
