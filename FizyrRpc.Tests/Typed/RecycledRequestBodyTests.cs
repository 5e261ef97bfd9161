using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Typed;

/// <summary>
/// Without a <c>LargeBodyPool</c>, a large request body's array is lent again once a generated server has answered
/// the request, unless its handler may hold the body (it took the raw request, or a <c>ReadOnlyMemory&lt;byte&gt;</c>);
/// a raw user's body is never taken back, disposed or not.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class RecycledRequestBodyTests(LoopbackKind kind)
{
    private const int Length = 300_000;

    private static readonly StreamConfig Config = new() { MaxBodyLengthRead = 1 << 20, MaxBodyLengthWrite = 1 << 20 };

    [Test]
    public async Task TheNextLargeRequestReceivesIntoTheArrayOfTheOneAnswered()
    {
        var arrays = await ServeTwoRequestsAsync(takeRawRequest: false);
        Assert.That(arrays[1], Is.SameAs(arrays[0]), "the second request's body went into the first one's array");
    }

    [Test]
    public async Task AHandlerThatTookTheRawRequestKeepsItsBodysArray()
    {
        var arrays = await ServeTwoRequestsAsync(takeRawRequest: true);
        Assert.That(arrays[1], Is.Not.SameAs(arrays[0]), "the handler may still hold the first body");
    }

    [Test]
    public async Task ARawReceiverKeepsItsLargeBodiesIntactAfterDisposingThem()
    {
        await using var pair = await Loopback.PairAsync(kind, Config);
        var bodies = Enumerable.Range(0, 4).Select(i => Pattern(Length, seed: i)).ToArray();
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < bodies.Length; i++)
                await pair.Client.SendStreamAsync(i, new StreamBody(bodies[i]));
        });

        var first = await pair.Server.ReceiveMessageAsync().AsTask().Within();
        first.Message.Body.Dispose();
        for (var i = 1; i < bodies.Length; i++)
        {
            var next = await pair.Server.ReceiveMessageAsync().AsTask().Within();
            Assert.That(next.Message.Body.Span.SequenceEqual(bodies[i]), Is.True, $"body {i}");
            next.Message.Body.Dispose();
        }

        await sending.Within();
        Assert.That(first.Message.Body.Span.SequenceEqual(bodies[0]), Is.True, "a disposed body's array was not lent to the later ones");
    }

    // Two requests of the same size, one after the other: the array each body was received into.
    private async Task<byte[]?[]> ServeTwoRequestsAsync(bool takeRawRequest)
    {
        await using var pair = await Loopback.PairAsync(kind, Config);
        var server = new ArrayRecordingServer(takeRawRequest);
        var serving = server.ServeAsync(pair.Server);
        for (var i = 0; i < 2; i++)
        {
            var bytes = Pattern(Length, seed: i);
            using var request = await pair.Client.SendRequestAsync(1, new StreamBody(ILargeEcho.DefaultFormat.Encode(bytes))).AsTask().Within();
            var response = await request.ReceiveResponseAsync().AsTask().Within();
            Assert.That(ILargeEcho.DefaultFormat.Decode<byte[]>(response.Body.Data), Is.EqualTo(bytes[^8..]));
        }

        await pair.Client.DisposeAsync();
        await serving.Within();
        return [.. server.Arrays];
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Decodes a byte[] request, notes the array its body is in, and answers with its last 8 bytes.</summary>
    private sealed class ArrayRecordingServer(bool takeRawRequest) : RpcServerBase<StreamBody>(ILargeEcho.DefaultFormat)
    {
        public ConcurrentQueue<byte[]?> Arrays { get; } = new();

        protected override async ValueTask DispatchAsync(RpcRequestContext<StreamBody> context)
        {
            var value = context.DecodeRequest<byte[]>();
            Arrays.Enqueue(MemoryMarshal.TryGetArray(context.RequestHandle.Body.Data, out var segment) ? segment.Array : null);
            if (takeRawRequest)
                _ = context.Request;
            await context.RespondAsync(value[^8..]);
        }
    }
}
