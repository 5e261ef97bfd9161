using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// The cases the client runs against a conformance server on every transport, written once for any body type: in
/// order, on one connection. Every reply is checked whole (message type, request ID, service ID and every body byte)
/// and its body disposed, which closes any descriptor that came with it.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
internal static class ConformanceCases<TBody>
    where TBody : IMessageBody<TBody>
{
    private const int InFlightCount = 50;
    private const int StreamServiceId = 77;
    private const int UnknownServiceId = 12345;

    // Around the pattern's period and a size the writer sends without copying.
    private static readonly int[] BigEdgeSizes = [0, 1, Scenario.BigPatternPeriod - 1, Scenario.BigPatternPeriod, Scenario.BigPatternPeriod + 1, 65537];

    /// <summary>
    /// Every case of a transport: the shared ones, with a big reply of <paramref name="bigReplyLength"/> bytes, then
    /// <paramref name="transportCases"/>, then the one that looks at what all the others left behind.
    /// </summary>
    public static IReadOnlyList<ConformanceCase<TBody>> Create(int bigReplyLength, IEnumerable<ConformanceCase<TBody>> transportCases) =>
    [
        new("echo", (session, ct) => EchoAsync(session, Text("Hello World"), ct)),
        new("empty echo", (session, ct) => EchoAsync(session, [], ct)),
        new("progress updates", ProgressAsync),
        new("error response", FailAsync),
        new("unknown service gets error", UnknownServiceAsync),
        new("chat updates both ways", ChatAsync),
        new("echo while a chat is open", EchoDuringChatAsync),
        new("stream echo", StreamEchoAsync),
        new($"{InFlightCount} echo requests in flight at once", InFlightAsync),
        new($"{SizeName(bigReplyLength)} big reply", (session, ct) => BigAsync(session, bigReplyLength, ct)),
        new("big replies of edge sizes", BigEdgeSizesAsync),
        new("call-back", CallBackAsync),
        .. transportCases,
        new("nothing unexpected from the server", NothingUnexpectedAsync),
    ];

    private static string SizeName(int length) => length switch
    {
        _ when length % (1024 * 1024) == 0 => $"{length / (1024 * 1024)} MiB",
        _ when length % 1024 == 0 => $"{length / 1024} KiB",
        _ => $"{length}-byte",
    };

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static TBody Body(byte[] bytes) => TBody.FromBytes(bytes);

    private static async Task EchoAsync(ClientSession<TBody> session, byte[] body, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(Scenario.EchoService, Body(body), ct);
        var response = await request.ReceiveResponseAsync(ct);
        using (response.Body)
            Expect.Message(response, MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId), body, "echo response");
    }

    private static async Task ProgressAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(Scenario.ProgressService, Body([]), ct);
        for (var i = 0; i < Scenario.ProgressUpdateCount; i++)
        {
            var update = await request.ReceiveUpdateAsync(ct)
                ?? throw new ConformanceFailure($"the response came after {i} of {Scenario.ProgressUpdateCount} updates");
            using (update.Body)
            {
                Expect.Message(
                    update,
                    MessageHeader.ResponderUpdate(request.RequestId, Scenario.ProgressUpdateServiceId),
                    Scenario.ProgressUpdateText(i),
                    $"update {i}");
            }
        }

        var response = await request.ReceiveResponseAsync(ct);
        using (response.Body)
            Expect.Message(response, MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId), Scenario.ProgressDoneText, "progress response");
    }

    private static async Task FailAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(Scenario.FailService, Body(Text("x")), ct);
        var response = await request.ReceiveResponseAsync(ct);
        using (response.Body)
            Expect.ErrorResponse(response, request.RequestId, text => text == Scenario.FailText, $"\"{Scenario.FailText}\"", "fail response");
    }

    private static async Task UnknownServiceAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(UnknownServiceId, Body([]), ct);
        var response = await request.ReceiveResponseAsync(ct);
        var id = UnknownServiceId.ToString(CultureInfo.InvariantCulture);
        using (response.Body)
            Expect.ErrorResponse(response, request.RequestId, text => text.Contains(id, StringComparison.Ordinal), $"a text naming service {id}", "unknown service response");
    }

    private static async Task ChatAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(Scenario.ChatService, Body([]), ct);
        for (var i = 0; i < 5; i++)
            await ChatLineAsync(request, 40 + i, $"line {i}", ct);
        await EndChatAsync(request, ct);
    }

    /// <summary>The server serves requests concurrently: an open chat, waiting for updates, holds up no echo.</summary>
    private static async Task EchoDuringChatAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        using var chat = await session.Write.SendRequestAsync(Scenario.ChatService, Body([]), ct);
        await ChatLineAsync(chat, 1, "before", ct);
        await EchoAsync(session, Text("while the chat waits"), ct);
        await ChatLineAsync(chat, 2, "after", ct);
        await EndChatAsync(chat, ct);
    }

    private static async Task ChatLineAsync(SentRequest<TBody> chat, int serviceId, string line, CancellationToken ct)
    {
        await chat.SendUpdateAsync(serviceId, Body(Text(line)), ct);
        var echoed = await chat.ReceiveUpdateAsync(ct)
            ?? throw new ConformanceFailure($"the chat ended instead of echoing update {serviceId}");
        using (echoed.Body)
            Expect.Message(echoed, MessageHeader.ResponderUpdate(chat.RequestId, serviceId), line, $"chat echo of update {serviceId}");
    }

    private static async Task EndChatAsync(SentRequest<TBody> chat, CancellationToken ct)
    {
        await chat.SendUpdateAsync(Scenario.ChatEndServiceId, Body([]), ct);
        var response = await chat.ReceiveResponseAsync(ct);
        using (response.Body)
            Expect.Message(response, MessageHeader.Response(chat.RequestId, Scenario.SuccessServiceId), Scenario.ChatByeText, "chat end");
    }

    private static async Task StreamEchoAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        await session.Write.SendStreamAsync(StreamServiceId, Body(Text("tick")), ct);
        var echoed = await session.Streams.ReadAsync(ct);
        using (echoed.Body)
            Expect.Message(echoed, MessageHeader.Stream(StreamServiceId), "tick", "stream echo");
    }

    private static async Task InFlightAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        // Bodies of different lengths, so a response delivered to the wrong request shows.
        var bodies = Enumerable.Range(0, InFlightCount).Select(i => Text($"in flight {i} {new string('x', i)}")).ToArray();
        var requests = new List<SentRequest<TBody>>(InFlightCount);
        var receives = new List<Task<Message<TBody>>>(InFlightCount);
        try
        {
            foreach (var body in bodies)
                requests.Add(await session.Write.SendRequestAsync(Scenario.EchoService, Body(body), ct));
            receives.AddRange(requests.Select(request => request.ReceiveResponseAsync(ct).AsTask()));
            var responses = await Task.WhenAll(receives);
            for (var i = 0; i < InFlightCount; i++)
                Expect.Message(responses[i], MessageHeader.Response(requests[i].RequestId, Scenario.SuccessServiceId), bodies[i], $"echo response {i}");
        }
        finally
        {
            // Task.WhenAll has waited for every receive; the ones that failed delivered no body.
            foreach (var receive in receives.Where(receive => receive.IsCompletedSuccessfully))
                receive.Result.Body.Dispose();
            foreach (var request in requests)
                request.Dispose();
        }
    }

    private static async Task BigAsync(ClientSession<TBody> session, int length, CancellationToken ct)
    {
        var body = new byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)length);
        using var request = await session.Write.SendRequestAsync(Scenario.BigService, Body(body), ct);
        var response = await request.ReceiveResponseAsync(ct);
        using (response.Body)
            Expect.Message(response, MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId), Scenario.BigBody(length), $"big reply of {length} bytes");
    }

    private static async Task BigEdgeSizesAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        foreach (var length in BigEdgeSizes)
            await BigAsync(session, length, ct);
    }

    private static async Task CallBackAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        var body = Text("call me back");
        using var request = await session.Write.SendRequestAsync(Scenario.CallBackService, Body(body), ct);
        var response = await request.ReceiveResponseAsync(ct);
        using (response.Body)
        {
            if (!session.Requests.TryRead(out var callBack))
                throw new ConformanceFailure($"the server answered ({response.Header}) without sending its own request first");
            if (callBack.ServiceId != Scenario.EchoService)
                throw new ConformanceFailure($"the server's own request was for service {callBack.ServiceId}, want {Scenario.EchoService}");
            Expect.Body(callBack.Body, body, "the server's own request");
            Expect.Message(response, MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId), body, "call-back response");
        }
    }

    /// <summary>No reply the cases did not ask for: no extra stream or request, no message for an unknown request ID.</summary>
    private static Task NothingUnexpectedAsync(ClientSession<TBody> session, CancellationToken ct)
    {
        var surprises = session.DroppedMessages.ToList();
        while (session.Streams.TryRead(out var stream))
        {
            using (stream.Body)
                surprises.Add($"an extra stream message {stream.Header} of {Expect.Describe(stream.Body.Data.Span)}");
        }

        while (session.Requests.TryRead(out var request))
            surprises.Add($"an extra request for service {request.ServiceId} of {Expect.Describe(request.Body)}");
        if (surprises.Count > 0)
            throw new ConformanceFailure(string.Join("; ", surprises));
        return Task.CompletedTask;
    }
}
