using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// Many requests with descriptors in flight at once on one connection: each response, answered out of order, carries
/// the right descriptor back to the right request.
/// </summary>
[TestFixture(Direction.ClientToServer)]
[TestFixture(Direction.ServerToClient)]
public class ConcurrentRequestTests(Direction direction) : SeqpacketFixture
{
    private const int Count = 200;

    [Test]
    public async Task TwoHundredConcurrentRequestsWithDescriptorsGetTheirOwnAnswers()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (requester, responder) = pair.Sides(direction);

        // The responder takes all of them before answering any, then answers in reverse order.
        var serving = Task.Run(async () =>
        {
            var requests = new List<ReceivedRequest<UnixBody>>();
            for (var i = 0; i < Count; i++)
                requests.Add((await responder.ReceiveMessageAsync().WithTimeout()).Request!);
            Assert.That(responder.OpenReceivedRequests, Is.EqualTo(Count));
            await Task.WhenAll(Enumerable.Reverse(requests).Select(request => Task.Run(async () =>
            {
                using (request)
                {
                    string question;
                    using (var body = request.Body)
                    {
                        question = Descriptors.ReadText(body.FileDescriptors.Single());
                        Assert.That(question, Is.EqualTo($"question {Bodies.TextOf(body)}"));
                    }

                    await request.SendResponseAsync(request.ServiceId, Bodies.WithMemfds($"answer to {question}", $"answer fd to {question}"));
                }
            })));
        });

        var asking = Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
        {
            using var sent = await requester.SendRequestAsync(i, Bodies.WithMemfds($"{i}", $"question {i}"));
            using var response = (await sent.ReceiveResponseAsync()).Body;
            Bodies.AssertMemfds(response, $"answer to question {i}", $"answer fd to question {i}");
        })).ToArray();

        await Task.WhenAll(asking).WithTimeout();
        await serving.WithTimeout();
        Assert.That(requester.OpenSentRequests, Is.Zero);
    }

    [Test]
    public async Task BothSidesAskAtOnceWithDescriptors()
    {
        await using var pair = await SeqpacketPair.ConnectAsync();
        var (first, second) = pair.Sides(direction);

        await Task.WhenAll(
            Task.Run(() => AskAndAnswerAsync(asker: first, answerer: second, "first")),
            Task.Run(() => AskAndAnswerAsync(asker: second, answerer: first, "second"))).WithTimeout();
    }

    /// <summary>
    /// <paramref name="asker"/> sends <see cref="Count"/> / 2 requests at once while <paramref name="answerer"/> answers
    /// them as they come; request IDs are per direction, so both sides' IDs overlap without conflict.
    /// </summary>
    private static async Task AskAndAnswerAsync(PeerHandle<UnixBody> asker, PeerHandle<UnixBody> answerer, string who)
    {
        const int Half = Count / 2;
        var answering = Task.Run(async () =>
        {
            for (var i = 0; i < Half; i++)
            {
                using var request = (await answerer.ReceiveMessageAsync().WithTimeout()).Request!;
                string text;
                using (var body = request.Body)
                    text = Descriptors.ReadText(body.FileDescriptors.Single());
                await request.SendResponseAsync(request.ServiceId, Bodies.WithMemfds(string.Empty, $"re: {text}"));
            }
        });
        await Task.WhenAll(Enumerable.Range(0, Half).Select(async i =>
        {
            using var sent = await asker.SendRequestAsync(i, Bodies.WithMemfds(string.Empty, $"{who} {i}"));
            using var response = (await sent.ReceiveResponseAsync()).Body;
            Bodies.AssertMemfds(response, string.Empty, $"re: {who} {i}");
        }));
        await answering;
    }
}
