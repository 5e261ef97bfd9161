using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Typed;

/// <summary>A MessagePack echo whose answer is a new array (the request reversed), for <see cref="LargeTypedBodyTests"/>.</summary>
[RpcService]
public partial interface ILargeEcho
{
    /// <summary>Answers with <paramref name="body"/> reversed.</summary>
    [Service(1)]
    Task<byte[]> ReverseAsync(byte[] body, CancellationToken cancellationToken = default);
}

/// <summary>The server of <see cref="ILargeEcho"/>.</summary>
public sealed class LargeEchoServer : ILargeEcho.ServerBase<StreamBody>
{
    /// <inheritdoc/>
    protected override Task<byte[]> ReverseAsync(byte[] body, ReverseContext context)
    {
        var reversed = (byte[])body.Clone();
        Array.Reverse(reversed);
        return Task.FromResult(reversed);
    }
}

/// <summary>
/// Typed MessagePack bodies over real sockets, on both sides of the size at which an encoded body leaves with its
/// pooled array (16 KiB) instead of as a copy: every answer is its own request reversed, also with many large calls in
/// flight at once, so a pooled array that went back to the pool before it was written (and was lent to the next
/// answer) would show as another call's bytes.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class LargeTypedBodyTests(LoopbackKind kind)
{
    private static readonly StreamConfig Config = new() { MaxBodyLengthRead = 4 << 20, MaxBodyLengthWrite = 4 << 20 };

    [TestCase(0)]
    [TestCase(16 * 1024 - 5)] // encoded: 16 KiB exactly, copied
    [TestCase(16 * 1024 - 4)] // encoded: one byte more, pooled
    [TestCase(1 << 20)]
    [TestCase((3 << 20) + 11)]
    public async Task AnAnswerOfAnySizeIsTheRequestReversed(int length)
    {
        await using var pair = await Loopback.PairAsync(kind, Config);
        var serving = new LargeEchoServer().ServeAsync(pair.Server);
        await using var client = new ILargeEcho.Client(pair.Client);

        var body = Pattern(length, seed: length);
        var answer = await client.ReverseAsync(body).Within();
        Assert.That(answer, Is.EqualTo(body.Reverse().ToArray()));

        await client.CloseAsync();
        await serving.Within();
    }

    [Test]
    public async Task ManyLargeCallsInFlightEachGetTheirOwnAnswer()
    {
        await using var pair = await Loopback.PairAsync(kind, Config);
        var serving = new LargeEchoServer().ServeAsync(pair.Server);
        await using var client = new ILargeEcho.Client(pair.Client);

        for (var round = 0; round < 4; round++)
        {
            var bodies = Enumerable.Range(0, 16).Select(i => Pattern(100_000 + (i * 4099), seed: (round * 16) + i)).ToArray();
            var answers = await Task.WhenAll(bodies.Select(body => client.ReverseAsync(body))).Within();
            for (var i = 0; i < bodies.Length; i++)
                Assert.That(answers[i], Is.EqualTo(bodies[i].Reverse().ToArray()), $"round {round}, call {i}");
        }

        await client.CloseAsync();
        await serving.Within();
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
