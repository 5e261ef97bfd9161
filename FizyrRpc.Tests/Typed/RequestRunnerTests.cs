using System.Buffers.Binary;
using System.Collections.Concurrent;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>
/// How ServeAsync runs its handlers now that their per-request work items are pooled: what a handler can keep (its
/// request context) is never reused, many requests at once each get their own answer, handlers run in the caller's
/// execution context, and the serve loop ends cleanly however the connection ends.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class RequestRunnerTests(LoopbackKind kind)
{
    private static readonly AsyncLocal<string?> Ambient = new();

    [Test]
    public async Task AContextKeptAfterItsHandlerReturnsIsNeverReused()
    {
        var server = new KeepingServer();
        await using var served = await ServedPair.StartAsync(kind, server);

        // Sequential calls reuse the pooled work items the most; each kept context must still be its own request's.
        for (var i = 0; i < 100; i++)
            Assert.That(await served.Client.EchoAsync($"call {i}").Within(), Is.EqualTo($"call {i}"));

        var kept = server.Kept.ToArray();
        Assert.That(kept, Has.Length.EqualTo(100));
        Assert.That(kept.Select(k => k.Context).Distinct(ReferenceEqualityComparer.Instance).Count(), Is.EqualTo(100), "one context per request");
        foreach (var (context, requestId, text) in kept)
        {
            Assert.That(context.Request.RequestId, Is.EqualTo(requestId));
            Assert.That(context.DecodeRequest<string>(), Is.EqualTo(text));
            Assert.That(context.Request.IsClosed, Is.True, "answered");
        }
    }

    [Test]
    public async Task ManyRequestsAtOnceEachGetTheirOwnAnswer()
    {
        await using var served = await ServedPair.StartAsync(kind);

        // More at once than the runner pools, so items are made, pooled, reused and dropped while others run.
        var calls = Enumerable.Range(0, 300).Select(i => served.Client.EchoAsync($"text {i}").AsTask()).ToArray();
        var answers = await Task.WhenAll(calls).Within();
        Assert.That(answers, Is.EqualTo(Enumerable.Range(0, 300).Select(i => $"text {i}")));
        Assert.That(served.Server.HandlerErrors, Is.Empty);
    }

    [Test]
    public async Task HandlersRunInTheExecutionContextServeWasCalledIn()
    {
        var server = new KeepingServer();
        Task serve;
        await using var pair = await Loopback.PairAsync(kind);
        Ambient.Value = "from the caller";
        try
        {
            serve = server.ServeAsync(pair.Server);
        }
        finally
        {
            Ambient.Value = null;
        }

        await using (var client = new TestClient(pair.Client))
        {
            Assert.That(await client.EchoAsync("x").Within(), Is.EqualTo("x"));
            Assert.That(await client.EchoAsync("y").Within(), Is.EqualTo("y"));
        }

        await serve.Within();
        Assert.That(server.AmbientSeen.ToArray(), Is.EqualTo(new[] { "from the caller", "from the caller" }));
    }

    [Test]
    public async Task ServeEndsWithoutAnErrorWhenTheConnectionFailsWithAProtocolError()
    {
        await using var served = await ServedRaw.StartAsync(kind);
        var frame = new byte[StreamFraming.PrefixAndHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, MessageHeader.Size);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(StreamFraming.LengthPrefixSize), 9); // no such message type
        await served.Raw.SendAsync(frame);

        await served.Serve.Within();
        Assert.That(served.Raw.Peer.CloseError?.Reason, Is.EqualTo(CloseReason.ProtocolError));
    }

    [Test]
    public async Task AHookThatThrowsFailsServeOnceTheHandlersHaveEnded()
    {
        var server = new ThrowingHookServer();
        await using var pair = await Loopback.PairAsync(kind);
        var serve = server.ServeAsync(pair.Server);
        await using (var client = new TestClient(pair.Client))
        {
            // The hook throws before the failure is answered: disposing the request answers it instead.
            var error = await TestWaits.ThrowsAsync<RemoteErrorException>(() => client.FailAsync("boom").AsTask());
            Assert.That(error.Message, Is.EqualTo(ReceivedRequest<StreamBody>.DroppedErrorText));
        }

        var fault = await TestWaits.ThrowsAsync<InvalidOperationException>(() => serve);
        Assert.That(fault.Message, Is.EqualTo("the hook broke"));
    }

    /// <summary>Keeps every request context after answering, with what it was at the time.</summary>
    private sealed class KeepingServer : TestServer
    {
        public ConcurrentQueue<(RpcRequestContext<StreamBody> Context, uint RequestId, string Text)> Kept { get; } = new();

        public ConcurrentQueue<string?> AmbientSeen { get; } = new();

        protected override async ValueTask DispatchAsync(RpcRequestContext<StreamBody> context)
        {
            AmbientSeen.Enqueue(Ambient.Value);
            var text = context.DecodeRequest<string>();
            await context.RespondAsync(text);
            Kept.Enqueue((context, context.Request.RequestId, text));
        }
    }

    private sealed class ThrowingHookServer : TestServer
    {
        protected override void OnHandlerError(MessageHeader header, Exception error) =>
            throw new InvalidOperationException("the hook broke");
    }
}
