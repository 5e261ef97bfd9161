using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// Bodies larger than the default limit, with raised limits: around the size where the transport stops copying bodies
/// into its scratch buffer and pins them instead, bursts that need more than one scratch buffer, and a body the
/// kernel's socket buffer cannot take in one datagram. Each with descriptors, in both directions.
/// </summary>
[TestFixture(Direction.ClientToServer)]
[TestFixture(Direction.ServerToClient)]
public class LargeBodyTests(Direction direction) : SeqpacketFixture
{
    private static readonly UnixConfig Roomy = new() { MaxBodyLengthRead = 1024 * 1024, MaxBodyLengthWrite = 1024 * 1024 };

    [TestCase(16 * 1024 - 1)]
    [TestCase(16 * 1024)]
    [TestCase(16 * 1024 + 1)]
    [TestCase(64 * 1024)]
    [TestCase(100 * 1024)]
    public async Task ALargeBodyWithDescriptorsArrivesIntact(int length)
    {
        await using var pair = await SeqpacketPair.ConnectAsync(Roomy);
        var (sender, receiver) = pair.Sides(direction);
        var data = Pattern(length, seed: length);

        await sender.SendStreamAsync(1, new UnixBody(data, Descriptors.Memfd("beside a large body"))).WithTimeout();

        using var body = (await receiver.ReceiveMessageAsync().WithTimeout()).Message.Body;
        Assert.That(body.Span.SequenceEqual(data), Is.True, $"{length} bytes arrive unchanged");
        Assert.That(body.FileDescriptors.Select(Descriptors.ReadText), Is.EqualTo(new[] { "beside a large body" }));
    }

    [Test]
    public async Task ABurstOfLargeAndSmallBodiesArrivesInOrder()
    {
        await using var pair = await SeqpacketPair.ConnectAsync(Roomy);
        var (sender, receiver) = pair.Sides(direction);
        int[] lengths = [.. Enumerable.Range(0, 60).Select(i => (i % 5) switch { 0 => 16 * 1024, 1 => 16 * 1024 + 1, 2 => 40 * 1024, 3 => 0, _ => 12 })];

        // Back to back, so one write takes several: more than the scratch buffer holds, copied and pinned bodies mixed.
        for (var i = 0; i < lengths.Length; i++)
            await sender.SendStreamAsync(i, new UnixBody(Pattern(lengths[i], i), [.. Enumerable.Range(0, i % 3).Select(f => Descriptors.Memfd($"{i}.{f}"))])).WithTimeout();

        for (var i = 0; i < lengths.Length; i++)
        {
            var received = await receiver.ReceiveMessageAsync().WithTimeout();
            using var body = received.Message.Body;
            Assert.That(received.Header, Is.EqualTo(MessageHeader.Stream(i)));
            Assert.That(body.Span.SequenceEqual(Pattern(lengths[i], i)), Is.True, $"message {i}: {lengths[i]} bytes");
            Assert.That(body.FileDescriptors.Select(Descriptors.ReadText), Is.EqualTo(Enumerable.Range(0, i % 3).Select(f => $"{i}.{f}")));
        }
    }

    /// <summary>
    /// Larger than one datagram can be on a Unix socket with the default send buffer (net.core.wmem_default, about 208
    /// KiB), yet within the configured write limit. The contract for a message within the limit is that it is
    /// delivered; failing that, it must be refused before anything is sent with the connection left usable — never the
    /// connection torn down.
    /// </summary>
    [Test]
    public async Task ABodyWithinTheLimitButAboveTheSocketBufferDoesNotBreakTheConnection()
    {
        await using var pair = await SeqpacketPair.ConnectAsync(Roomy);
        var (sender, receiver) = pair.Sides(direction);
        var data = Pattern(512 * 1024, seed: 7);

        Exception? refused = null;
        try
        {
            await sender.SendStreamAsync(1, new UnixBody(data, Descriptors.Memfd("large"))).WithTimeout();
        }
        catch (RpcException error) when (error is not ConnectionClosedException)
        {
            refused = error;
        }

        ReceivedMessage<UnixBody> first;
        try
        {
            await sender.SendStreamAsync(2, Bodies.WithMemfds("after", "fd")).WithTimeout();
            first = await receiver.ReceiveMessageAsync().WithTimeout();
        }
        catch (ConnectionClosedException)
        {
            await sender.Completion.WithTimeout();
            Assert.Fail($"the connection broke: the sender closed with {sender.CloseError?.Reason} ({sender.CloseError?.InnerException?.GetType().Name}: {sender.CloseError?.InnerException?.Message})");
            throw;
        }

        using (var body = first.Message.Body)
        {
            if (refused is null)
            {
                Assert.That(first.Header, Is.EqualTo(MessageHeader.Stream(1)), "the large message was accepted, so it must arrive");
                Assert.That(body.Span.SequenceEqual(data), Is.True);
                using var after = (await receiver.ReceiveMessageAsync().WithTimeout()).Message.Body;
                Bodies.AssertMemfds(after, "after", "fd");
            }
            else
            {
                Bodies.AssertMemfds(body, "after", "fd");
            }
        }

        Assert.That(sender.CloseError, Is.Null, "the connection is still open");
    }

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
