using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FizyrRpc.Samples.Conformance;

/// <summary>One check of a conformance server: a name for the report and the conversation that checks it.</summary>
/// <param name="Name">What the report calls it.</param>
/// <param name="RunAsync">Throws (a <see cref="ConformanceFailure"/>, usually) when the server gets it wrong.</param>
internal sealed record ConformanceCase(string Name, Func<ClientSession, CancellationToken, Task> RunAsync);

/// <summary>
/// The cases the client runs against a conformance server, in order, on one connection. Every reply is checked whole:
/// message type, request ID, service ID and every body byte.
/// </summary>
internal static class ConformanceCases
{
    private const int InFlightCount = 50;
    private const int StreamServiceId = 77;
    private const int UnknownServiceId = 12345;
    private const int OneMebibyte = 1024 * 1024;

    // Around the pattern's period and a size the writer sends without copying.
    private static readonly int[] BigEdgeSizes = [0, 1, Scenario.BigPatternPeriod - 1, Scenario.BigPatternPeriod, Scenario.BigPatternPeriod + 1, 65537];

    /// <summary>Every case; the last one looks at what the others left behind.</summary>
    public static IReadOnlyList<ConformanceCase> All { get; } =
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
        new("1 MiB big reply", (session, ct) => BigAsync(session, OneMebibyte, ct)),
        new("big replies of edge sizes", BigEdgeSizesAsync),
        new("call-back", CallBackAsync),
        new("nothing unexpected from the server", NothingUnexpectedAsync),
    ];

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task EchoAsync(ClientSession session, byte[] body, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(Scenario.EchoService, body, ct);
        var response = await request.ReceiveResponseAsync(ct);
        Expect.Message(response, MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId), body, "echo response");
    }

    private static async Task ProgressAsync(ClientSession session, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(Scenario.ProgressService, StreamBody.Empty, ct);
        for (var i = 0; i < Scenario.ProgressUpdateCount; i++)
        {
            var update = await request.ReceiveUpdateAsync(ct)
                ?? throw new ConformanceFailure($"the response came after {i} of {Scenario.ProgressUpdateCount} updates");
            Expect.Message(
                update,
                MessageHeader.ResponderUpdate(request.RequestId, Scenario.ProgressUpdateServiceId),
                Scenario.ProgressUpdateText(i),
                $"update {i}");
        }

        var response = await request.ReceiveResponseAsync(ct);
        Expect.Message(response, MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId), Scenario.ProgressDoneText, "progress response");
    }

    private static async Task FailAsync(ClientSession session, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(Scenario.FailService, Text("x"), ct);
        var response = await request.ReceiveResponseAsync(ct);
        Expect.ErrorResponse(response, request.RequestId, text => text == Scenario.FailText, $"\"{Scenario.FailText}\"", "fail response");
    }

    private static async Task UnknownServiceAsync(ClientSession session, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(UnknownServiceId, StreamBody.Empty, ct);
        var response = await request.ReceiveResponseAsync(ct);
        var id = UnknownServiceId.ToString(CultureInfo.InvariantCulture);
        Expect.ErrorResponse(response, request.RequestId, text => text.Contains(id, StringComparison.Ordinal), $"a text naming service {id}", "unknown service response");
    }

    private static async Task ChatAsync(ClientSession session, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(Scenario.ChatService, StreamBody.Empty, ct);
        for (var i = 0; i < 5; i++)
            await ChatLineAsync(request, 40 + i, $"line {i}", ct);
        await EndChatAsync(request, ct);
    }

    /// <summary>The server serves requests concurrently: an open chat, waiting for updates, holds up no echo.</summary>
    private static async Task EchoDuringChatAsync(ClientSession session, CancellationToken ct)
    {
        using var chat = await session.Write.SendRequestAsync(Scenario.ChatService, StreamBody.Empty, ct);
        await ChatLineAsync(chat, 1, "before", ct);
        await EchoAsync(session, Text("while the chat waits"), ct);
        await ChatLineAsync(chat, 2, "after", ct);
        await EndChatAsync(chat, ct);
    }

    private static async Task ChatLineAsync(SentRequest<StreamBody> chat, int serviceId, string line, CancellationToken ct)
    {
        await chat.SendUpdateAsync(serviceId, Text(line), ct);
        var echoed = await chat.ReceiveUpdateAsync(ct)
            ?? throw new ConformanceFailure($"the chat ended instead of echoing update {serviceId}");
        Expect.Message(echoed, MessageHeader.ResponderUpdate(chat.RequestId, serviceId), line, $"chat echo of update {serviceId}");
    }

    private static async Task EndChatAsync(SentRequest<StreamBody> chat, CancellationToken ct)
    {
        await chat.SendUpdateAsync(Scenario.ChatEndServiceId, StreamBody.Empty, ct);
        var response = await chat.ReceiveResponseAsync(ct);
        Expect.Message(response, MessageHeader.Response(chat.RequestId, Scenario.SuccessServiceId), Scenario.ChatByeText, "chat end");
    }

    private static async Task StreamEchoAsync(ClientSession session, CancellationToken ct)
    {
        await session.Write.SendStreamAsync(StreamServiceId, Text("tick"), ct);
        var echoed = await session.Streams.ReadAsync(ct);
        Expect.Message(echoed, MessageHeader.Stream(StreamServiceId), "tick", "stream echo");
    }

    private static async Task InFlightAsync(ClientSession session, CancellationToken ct)
    {
        // Bodies of different lengths, so a response delivered to the wrong request shows.
        var bodies = Enumerable.Range(0, InFlightCount).Select(i => Text($"in flight {i} {new string('x', i)}")).ToArray();
        var requests = new List<SentRequest<StreamBody>>(InFlightCount);
        try
        {
            foreach (var body in bodies)
                requests.Add(await session.Write.SendRequestAsync(Scenario.EchoService, body, ct));
            var responses = await Task.WhenAll(requests.Select(request => request.ReceiveResponseAsync(ct).AsTask()));
            for (var i = 0; i < InFlightCount; i++)
                Expect.Message(responses[i], MessageHeader.Response(requests[i].RequestId, Scenario.SuccessServiceId), bodies[i], $"echo response {i}");
        }
        finally
        {
            foreach (var request in requests)
                request.Dispose();
        }
    }

    private static async Task BigAsync(ClientSession session, int length, CancellationToken ct)
    {
        var body = new byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)length);
        using var request = await session.Write.SendRequestAsync(Scenario.BigService, body, ct);
        var response = await request.ReceiveResponseAsync(ct);
        Expect.Message(response, MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId), Scenario.BigBody(length), $"big reply of {length} bytes");
    }

    private static async Task BigEdgeSizesAsync(ClientSession session, CancellationToken ct)
    {
        foreach (var length in BigEdgeSizes)
            await BigAsync(session, length, ct);
    }

    private static async Task CallBackAsync(ClientSession session, CancellationToken ct)
    {
        var body = Text("call me back");
        using var request = await session.Write.SendRequestAsync(Scenario.CallBackService, body, ct);
        var response = await request.ReceiveResponseAsync(ct);
        if (!session.Requests.TryRead(out var callBack))
            throw new ConformanceFailure($"the server answered ({response.Header}) without sending its own request first");
        if (callBack.ServiceId != Scenario.EchoService)
            throw new ConformanceFailure($"the server's own request was for service {callBack.ServiceId}, want {Scenario.EchoService}");
        Expect.Body(callBack.Body, body, "the server's own request");
        Expect.Message(response, MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId), body, "call-back response");
    }

    /// <summary>No reply the cases did not ask for: no extra stream or request, no message for an unknown request ID.</summary>
    private static Task NothingUnexpectedAsync(ClientSession session, CancellationToken ct)
    {
        var surprises = session.DroppedMessages.ToList();
        while (session.Streams.TryRead(out var stream))
            surprises.Add($"an extra stream message {stream.Header} of {Expect.Describe(stream.Body.Span)}");
        while (session.Requests.TryRead(out var request))
            surprises.Add($"an extra request for service {request.ServiceId} of {Expect.Describe(request.Body)}");
        if (surprises.Count > 0)
            throw new ConformanceFailure(string.Join("; ", surprises));
        return Task.CompletedTask;
    }
}
