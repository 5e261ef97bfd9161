using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>The messages a user can send with a body of their own.</summary>
public enum MessageKind
{
    Request,
    Response,
    RequesterUpdate,
    ResponderUpdate,
    Stream,
}

/// <summary>Delivers one body as any kind of message between two peers, opening and closing the request it needs.</summary>
internal static class Conversation
{
    /// <summary>
    /// Sends <paramref name="body"/> from <paramref name="sender"/> as a message of <paramref name="kind"/> and returns
    /// the body that arrived at <paramref name="receiver"/> (the caller owns it). Any request needed for it is opened
    /// (by whichever side the kind requires) and answered, so both read sides are left with nothing unread.
    /// </summary>
    public static async Task<UnixBody> SendAndReceiveAsync(PeerHandle<UnixBody> sender, PeerHandle<UnixBody> receiver, MessageKind kind, UnixBody body)
    {
        switch (kind)
        {
            case MessageKind.Request:
                {
                    using var sent = await sender.SendRequestAsync(1, body).WithTimeout();
                    using var request = (await receiver.ReceiveMessageAsync().WithTimeout()).Request!;
                    await request.SendResponseAsync(1, Empty).WithTimeout();
                    (await sent.ReceiveResponseAsync().WithTimeout()).Body.Dispose();
                    return request.Body;
                }

            case MessageKind.Response:
                {
                    using var sent = await receiver.SendRequestAsync(1, Empty).WithTimeout();
                    using var request = (await sender.ReceiveMessageAsync().WithTimeout()).Request!;
                    await request.SendResponseAsync(1, body).WithTimeout();
                    return (await sent.ReceiveResponseAsync().WithTimeout()).Body;
                }

            case MessageKind.RequesterUpdate:
                {
                    using var sent = await sender.SendRequestAsync(1, Empty).WithTimeout();
                    using var request = (await receiver.ReceiveMessageAsync().WithTimeout()).Request!;
                    await sent.SendUpdateAsync(2, body).WithTimeout();
                    var update = await request.ReceiveUpdateAsync().WithTimeout() ?? throw new AssertionException("no requester update");
                    await request.SendResponseAsync(1, Empty).WithTimeout();
                    (await sent.ReceiveResponseAsync().WithTimeout()).Body.Dispose();
                    return update.Body;
                }

            case MessageKind.ResponderUpdate:
                {
                    using var sent = await receiver.SendRequestAsync(1, Empty).WithTimeout();
                    using var request = (await sender.ReceiveMessageAsync().WithTimeout()).Request!;
                    await request.SendUpdateAsync(2, body).WithTimeout();
                    var update = await sent.ReceiveUpdateAsync().WithTimeout() ?? throw new AssertionException("no responder update");
                    await request.SendResponseAsync(1, Empty).WithTimeout();
                    (await sent.ReceiveResponseAsync().WithTimeout()).Body.Dispose();
                    return update.Body;
                }

            default:
                await sender.SendStreamAsync(1, body).WithTimeout();
                return (await receiver.ReceiveMessageAsync().WithTimeout()).Message.Body;
        }
    }

    private static UnixBody Empty => UnixBody.FromBytes(ReadOnlyMemory<byte>.Empty);
}
