using System.Diagnostics;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Peer;

/// <summary>
/// <see cref="PeerOptions.PreferInlineResponses"/> over real sockets: the code awaiting a response continues on the
/// read loop (and only with the option on), the requests it sends there while the loop handles one read go out in one
/// write, and responses still reach the right caller after updates, through a full update queue, and many at once.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class InlineResponseTests(LoopbackKind kind)
{
    private const int Calls = 50;

    [TestCase(true)]
    [TestCase(false)]
    public async Task TheCallersOfOneReadsResponsesContinueOnTheReadLoopOnlyWithTheOption(bool inline)
    {
        using var sockets = await Loopback.SocketPairAsync(kind);
        var transport = new CountingTransport(new StreamTransport(sockets.Server, null, sockets.ServerInfo));
        await using var client = global::FizyrRpc.Peer.Start(transport, new PeerOptions { PreferInlineResponses = inline });
        await using var raw = RawPeer.Over(sockets, client);

        // Each caller sends a request, and once its response is in, a second one: what a client loop does.
        var callers = Enumerable.Range(0, Calls).Select(i => Task.Run(async () =>
        {
            using var first = await client.SendRequestAsync(1, StreamBody.FromBytes(BitConverter.GetBytes(i)));
            var response = await first.ReceiveResponseAsync();
            var onReadLoop = new StackTrace().GetFrames().Any(frame => frame.GetMethod()?.DeclaringType?.FullName?.Contains("FizyrRpc.PeerRouter", StringComparison.Ordinal) == true);
            int echoed;
            using (response.Body)
                echoed = BitConverter.ToInt32(response.Body.Data.Span);
            var second = await client.SendRequestAsync(2, StreamBody.FromBytes(BitConverter.GetBytes(i)));
            return (Echoed: echoed, OnReadLoop: onReadLoop, Second: second);
        })).ToList();

        var requests = new List<(uint Id, byte[] Body)>();
        for (var i = 0; i < Calls; i++)
        {
            var (header, body) = await raw.ReceiveMessageAsync();
            requests.Add((header.RequestId, body));
        }

        var writesBefore = transport.Writes;
        // Every response in one write: the client reads them in one go.
        await raw.SendAsync(requests.SelectMany(r => RawPeer.Frame(MessageHeader.Response(r.Id, 0), r.Body, Endian.Little)).ToArray());
        var seconds = new List<int>();
        for (var i = 0; i < Calls; i++)
        {
            var (header, body) = await raw.ReceiveMessageAsync();
            Assert.That(header.ServiceId, Is.EqualTo(2));
            seconds.Add(BitConverter.ToInt32(body));
            await raw.SendFrameAsync(MessageHeader.Response(header.RequestId, 0), body);
        }

        var results = await Task.WhenAll(callers).Within();
        Assert.That(results.Select(r => r.Echoed), Is.EqualTo(Enumerable.Range(0, Calls)), "each caller got its own response");
        Assert.That(seconds, Is.EquivalentTo(Enumerable.Range(0, Calls)));
        Assert.That(results.Select(r => r.OnReadLoop), Is.All.EqualTo(inline), "where the callers continued");
        if (inline)
            Assert.That(transport.Writes - writesBefore, Is.EqualTo(1), "the requests sent by the callers of one read go out in one write");
        foreach (var result in results)
        {
            using var second = result.Second;
            using var answer = (await second.ReceiveResponseAsync().Within()).Body;
        }
    }

    [Test]
    public async Task ManyCallsWithAndWithoutUpdatesEachGetTheirOwnResponse()
    {
        await using var pair = await Loopback.PairAsync(kind, options: new PeerOptions { PreferInlineResponses = true });
        var (client, server) = pair;
        server.SetRequestHandler(async request =>
        {
            using (request)
            {
                // Odd services get three updates first, each carrying the request's body.
                for (var u = 0; u < (request.ServiceId % 2) * 3; u++)
                    await request.SendUpdateAsync(u, StreamBody.FromBytes(request.Body.Data.ToArray()));
                await request.SendResponseAsync(request.ServiceId, StreamBody.FromBytes(request.Body.Data.ToArray()));
            }
        });

        var calls = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await using var sent = await client.SendRequestAsync(i % 5, StreamBody.FromString($"call {i}"));
            var updates = new List<string>();
            while (await sent.ReceiveUpdateAsync() is { } update)
            {
                using (update.Body)
                    updates.Add($"{update.Header.ServiceId}:{System.Text.Encoding.UTF8.GetString(update.Body.Data.Span)}");
            }

            var response = await sent.ReceiveResponseAsync();
            using (response.Body)
                return (response.Header.ServiceId, System.Text.Encoding.UTF8.GetString(response.Body.Data.Span), string.Join(",", updates));
        })).ToList();

        var answers = await Task.WhenAll(calls).Within();
        Assert.That(answers, Is.EqualTo(Enumerable.Range(0, 200).Select(i =>
            (i % 5, $"call {i}", string.Join(",", Enumerable.Range(0, (i % 5 % 2) * 3).Select(u => $"{u}:call {i}"))))));
    }

    [Test]
    public async Task AResponseBehindAFullUpdateQueueWaitsForRoomAndIsReadLast()
    {
        var options = new PeerOptions { PreferInlineResponses = true, UpdateQueueCapacity = 1 };
        await using var pair = await Loopback.PairAsync(kind, options: options);
        var (client, server) = pair;
        server.SetRequestHandler(async request =>
        {
            using (request)
            {
                await request.SendUpdateAsync(1, StreamBody.FromString("one"));
                await request.SendUpdateAsync(2, StreamBody.FromString("two"));
                await request.SendResponseAsync(3, StreamBody.FromString("done"));
            }
        });

        await using var sent = await client.SendRequestAsync(7, StreamBody.Empty);
        var seen = new List<string>();
        while (await sent.ReceiveUpdateAsync().Within() is { } update)
        {
            using (update.Body)
                seen.Add(System.Text.Encoding.UTF8.GetString(update.Body.Data.Span));
        }

        var response = await sent.ReceiveResponseAsync().Within();
        using (response.Body)
            seen.Add($"{response.Header.ServiceId}:{System.Text.Encoding.UTF8.GetString(response.Body.Data.Span)}");
        Assert.That(seen, Is.EqualTo(new[] { "one", "two", "3:done" }));
        Assert.That(sent.IsClosed, Is.True);
        Assert.That(await sent.ReceiveUpdateAsync().Within(), Is.Null, "nothing follows the response");
    }
}
