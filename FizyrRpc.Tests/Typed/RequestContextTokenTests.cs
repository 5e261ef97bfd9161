using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>
/// <see cref="RpcRequestContext{TBody}.ReadUpdatesAsync"/> stops on either token, the caller's or the context's, also
/// now that it links them only when both can fire.
/// </summary>
public sealed class RequestContextTokenTests
{
    private static int DecodeInt(IRpcFormat format, Message<StreamBody> update) => format.Decode<int>(update.Body.Data);

    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public async Task ReadingUpdatesStopsWhenTheTokenThatCanFireIsCancelled(bool callerToken, bool contextToken)
    {
        await using var pair = await Loopback.TcpPairAsync();
        using var sent = await pair.Client.SendRequestAsync(TestIds.Count, MessagePackFormat.Default.Encode(1), default);
        var received = await pair.Server.ReceiveMessageAsync().AsTask().WaitAsync(Loopback.Timeout);
        await using var request = received.Request!;
        await using var write = pair.Server.CreateWriteHandle();

        using var caller = new CancellationTokenSource();
        using var context = new CancellationTokenSource();
        var raw = new RpcRequestContext<StreamBody>(request, MessagePackFormat.Default, write, contextToken ? context.Token : default);

        await sent.SendUpdateAsync(TestIds.Adjust, MessagePackFormat.Default.Encode(5));
        var seen = new List<int>();
        var reading = Task.Run(async () =>
        {
            await foreach (var value in raw.ReadUpdatesAsync(DecodeInt, callerToken ? caller.Token : default))
            {
                seen.Add(value);
                if (contextToken)
                    await context.CancelAsync();
                else
                    await caller.CancelAsync();
            }
        });

        await TestWaits.ThrowsAsync<OperationCanceledException>(() => reading);
        Assert.That(seen, Is.EqualTo(new[] { 5 }));
    }
}
