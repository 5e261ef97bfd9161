using System.Diagnostics;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// No descriptor is left behind by 10,000 messages with descriptors: requests with a memfd answered with a memfd,
/// streams with one to three memfds, and datagrams the peer rejects (too many descriptors, too short with
/// descriptors). After everything was awaited and every received body disposed, the process holds as many descriptors
/// as before (within a small tolerance for what the runtime opens on its own) and no memfd of the test at all.
/// </summary>
[NonParallelizable] // counts the descriptors of the whole process
public class DescriptorLeakTests : SeqpacketFixture
{
    // Descriptors the runtime may open on its own meanwhile (another I/O thread's epoll, a timer).
    private const int Tolerance = 5;
    private const int Window = 100;

    /// <summary>How many of each kind (a request and its response are two messages).</summary>
    private sealed record Mix(int Requests, int Streams, int TooMany, int TooShort, int TooManyCount)
    {
        public int Messages => (2 * Requests) + Streams + TooMany + TooShort;
    }

    /// <param name="tooManyCount">
    /// The descriptors of each "too many" datagram: one above the limit, or so many the kernel truncates them.
    /// </param>
    [TestCase(UnixConfig.DefaultMaxFileDescriptors + 1)]
    [TestCase(30)]
    public async Task TenThousandMessagesWithDescriptorsLeaveNoneBehind(int tooManyCount)
    {
        var mix = new Mix(Requests: 2000, Streams: 4000, TooMany: 1000, TooShort: 1000, tooManyCount);
        Assert.That(mix.Messages, Is.EqualTo(10_000));
        await using var pair = await SeqpacketPair.ConnectAsync();
        await using var raw = await RawSeqpacket.ConnectAsync();

        // A first round warms up what the runtime opens once (thread pool threads, socket engine).
        await RunAsync(pair, raw, mix with { Requests = 100, Streams = 200, TooMany = 50, TooShort = 50 });
        var before = Descriptors.OpenCount();
        var clock = Stopwatch.StartNew();

        await RunAsync(pair, raw, mix);

        clock.Stop();
        var after = Descriptors.OpenCount();
        var memfds = Directory.GetFiles("/proc/self/fd").Count(path => new FileInfo(path).LinkTarget?.StartsWith("/memfd:fizyr-test", StringComparison.Ordinal) == true);
        TestContext.Out.WriteLine($"{mix.Messages} messages ({mix.TooManyCount} descriptors in each of the {mix.TooMany} with too many) in {clock.ElapsedMilliseconds} ms; descriptors: {before} before, {after} after; test memfds open: {memfds}");
        Assert.That(memfds, Is.Zero, "every memfd the test made was closed by its last owner");
        Assert.That(after - before, Is.LessThanOrEqualTo(Tolerance), $"{after - before} descriptors more after {mix.Messages} messages");
    }

    private static async Task RunAsync(SeqpacketPair pair, RawSeqpacket raw, Mix mix)
    {
        var serving = Task.Run(() => ServeAsync(pair.Server, mix));
        var rejecting = Task.Run(() => ExpectRejectedAsync(raw.Peer, mix));
        var sendingBad = Task.Run(() => SendRejected(raw, mix));

        var streamsSent = 0;
        for (var first = 0; first < mix.Requests; first += Window)
        {
            var count = Math.Min(Window, mix.Requests - first);
            var requests = Enumerable.Range(first, count).Select(i => AskAsync(pair.Client, i)).ToList();
            var streamsNow = (mix.Streams * (first + count) / mix.Requests) - streamsSent;
            for (var s = 0; s < streamsNow; s++, streamsSent++)
                await pair.Client.SendStreamAsync(streamsSent, Bodies.WithMemfds($"stream {streamsSent}", StreamFds(streamsSent))).WithTimeout();
            await Task.WhenAll(requests).WithTimeout();
        }

        for (; streamsSent < mix.Streams; streamsSent++)
            await pair.Client.SendStreamAsync(streamsSent, Bodies.WithMemfds($"stream {streamsSent}", StreamFds(streamsSent))).WithTimeout();

        await Task.WhenAll(serving, rejecting, sendingBad).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(pair.Client.OpenSentRequests + pair.Server.OpenReceivedRequests, Is.Zero);
    }

    private static async Task AskAsync(PeerHandle<UnixBody> client, int i)
    {
        using var sent = await client.SendRequestAsync(i, Bodies.WithMemfds($"request {i}", $"request fd {i}"));
        using var response = (await sent.ReceiveResponseAsync()).Body;
        Bodies.AssertMemfds(response, $"response {i}", $"response fd {i}");
    }

    private static async Task ServeAsync(PeerHandle<UnixBody> server, Mix mix)
    {
        var streams = 0;
        for (var handled = 0; handled < mix.Requests + mix.Streams; handled++)
        {
            var received = await server.ReceiveMessageAsync().WithTimeout();
            if (received.TryGetRequest(out var request))
            {
                using (request)
                {
                    var i = request.ServiceId;
                    using (var body = request.Body)
                        Bodies.AssertMemfds(body, $"request {i}", $"request fd {i}");
                    await request.SendResponseAsync(i, Bodies.WithMemfds($"response {i}", $"response fd {i}"));
                }
            }
            else
            {
                using var body = received.Message.Body;
                var i = received.Header.ServiceId;
                Assert.That(i, Is.EqualTo(streams++), "streams arrive in order");
                Bodies.AssertMemfds(body, $"stream {i}", StreamFds(i));
            }
        }
    }

    private static async Task ExpectRejectedAsync(PeerHandle<UnixBody> peer, Mix mix)
    {
        var (tooMany, tooShort) = (0, 0);
        while (tooMany + tooShort < mix.TooMany + mix.TooShort)
        {
            var error = await Waits.ThrowsAsync<RpcProtocolException>(() => peer.ReceiveMessageAsync().AsTask());
            if (error.Error is ProtocolError.TooManyFileDescriptors or ProtocolError.Truncated)
                tooMany++;
            else if (error.Error == ProtocolError.DatagramTooShort)
                tooShort++;
            else
                Assert.Fail($"unexpected {error.Error}: {error.Message}");
        }

        Assert.That((tooMany, tooShort), Is.EqualTo((mix.TooMany, mix.TooShort)));
    }

    private static void SendRejected(RawSeqpacket raw, Mix mix)
    {
        using var memfd = Descriptors.Memfd("rejected");
        var tooMany = Enumerable.Repeat(memfd, mix.TooManyCount).ToArray();
        var datagram = raw.Encode(MessageHeader.Stream(1), "too many"u8);
        for (var i = 0; i < Math.Max(mix.TooMany, mix.TooShort); i++)
        {
            if (i < mix.TooMany)
                raw.Send(datagram, tooMany);
            if (i < mix.TooShort)
                raw.Send([1, 2, 3], memfd, memfd);
        }
    }

    private static string[] StreamFds(int i) => [.. Enumerable.Range(0, 1 + (i % 3)).Select(f => $"stream {i} fd {f}")];
}
