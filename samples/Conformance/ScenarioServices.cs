using System.Buffers.Binary;
using System.Text;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// The services every transport serves (see <see cref="Scenario"/>), written once for any body type. Every body they
/// send is a fresh one (<c>TBody.FromBytes</c>); bodies they receive besides the request's (chat updates, the
/// call-back's answer) they dispose. The request's own body is disposed by <see cref="ServerConnection{TBody}"/>.
/// </summary>
/// <typeparam name="TBody">The body type of the transport.</typeparam>
internal static class ScenarioServices<TBody>
    where TBody : IMessageBody<TBody>
{
    /// <summary>Answers <paramref name="request"/>; an unknown service gets the error response "unknown service N".</summary>
    public static ValueTask ServeAsync(
        ReceivedRequest<TBody> request,
        PeerWriteHandle<TBody> write,
        ServerProfile<TBody> profile,
        CancellationToken cancellationToken) => request.ServiceId switch
        {
            Scenario.EchoService => request.SendResponseAsync(Scenario.SuccessServiceId, TBody.FromBytes(request.Body.Data), cancellationToken),
            Scenario.ProgressService => ProgressAsync(request, cancellationToken),
            Scenario.FailService => request.SendErrorResponseAsync(Scenario.FailText, cancellationToken),
            Scenario.ChatService => ChatAsync(request, cancellationToken),
            Scenario.BigService => BigAsync(request, profile.MaxBodyLength, cancellationToken),
            Scenario.CallBackService => CallBackAsync(request, write, cancellationToken),
            _ => request.SendErrorResponseAsync(Scenario.UnknownServiceText(request.ServiceId), cancellationToken),
        };

    private static TBody Text(string text) => TBody.FromBytes(Encoding.UTF8.GetBytes(text));

    private static async ValueTask ProgressAsync(ReceivedRequest<TBody> request, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Scenario.ProgressUpdateCount; i++)
            await request.SendUpdateAsync(Scenario.ProgressUpdateServiceId, Text(Scenario.ProgressUpdateText(i)), cancellationToken);
        await request.SendResponseAsync(Scenario.SuccessServiceId, Text(Scenario.ProgressDoneText), cancellationToken);
    }

    private static async ValueTask ChatAsync(ReceivedRequest<TBody> request, CancellationToken cancellationToken)
    {
        while (await request.ReceiveUpdateAsync(cancellationToken) is { } update)
        {
            using (update.Body)
            {
                if (update.ServiceId == Scenario.ChatEndServiceId)
                {
                    await request.SendResponseAsync(Scenario.SuccessServiceId, Text(Scenario.ChatByeText), cancellationToken);
                    return;
                }

                await request.SendUpdateAsync(update.ServiceId, TBody.FromBytes(update.Body.Data), cancellationToken);
            }
        }
    }

    private static ValueTask BigAsync(ReceivedRequest<TBody> request, int maxBodyLength, CancellationToken cancellationToken)
    {
        var body = request.Body.Data.Span;
        if (body.Length != sizeof(uint))
            return request.SendErrorResponseAsync($"big: expected a 4-byte little-endian length, got {body.Length} bytes", cancellationToken);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(body);
        if (length > maxBodyLength)
            return request.SendErrorResponseAsync($"big: {length} bytes is above the maximum body of {maxBodyLength} bytes", cancellationToken);
        return request.SendResponseAsync(Scenario.SuccessServiceId, TBody.FromBytes(Scenario.BigBody((int)length)), cancellationToken);
    }

    private static async ValueTask CallBackAsync(ReceivedRequest<TBody> request, PeerWriteHandle<TBody> write, CancellationToken cancellationToken)
    {
        using var callBack = await write.SendRequestAsync(Scenario.EchoService, TBody.FromBytes(request.Body.Data), cancellationToken);
        // Updates to the call-back mean nothing in the scenario: skip them to reach the response.
        while (await callBack.ReceiveUpdateAsync(cancellationToken) is { } update)
            update.Body.Dispose();

        var answer = await callBack.ReceiveResponseAsync(cancellationToken);
        using (answer.Body)
        {
            if (answer.IsErrorResponse)
                await request.SendErrorResponseAsync($"call-back failed: {answer.GetErrorMessage()}", cancellationToken);
            else
                await request.SendResponseAsync(Scenario.SuccessServiceId, TBody.FromBytes(answer.Body.Data), cancellationToken);
        }
    }
}
