using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Peer;

/// <summary>Short forms for the receives the peer tests repeat; every wait fails after <see cref="Loopback.Timeout"/> instead of hanging.</summary>
internal static class PeerTestExtensions
{
    /// <summary>Receives the next message and asserts that it is a request.</summary>
    public static async Task<ReceivedRequest<StreamBody>> ReceiveRequestAsync(this PeerHandle<StreamBody> peer)
    {
        var received = await peer.ReceiveMessageAsync().Within();
        Assert.That(received.IsRequest, Is.True, $"expected a request, got {received}");
        return received.Request!;
    }

    /// <summary>Receives the next message and asserts that it is a stream message.</summary>
    public static async Task<Message<StreamBody>> ReceiveStreamAsync(this PeerHandle<StreamBody> peer)
    {
        var received = await peer.ReceiveMessageAsync().Within();
        Assert.That(received.IsStream, Is.True, $"expected a stream message, got {received}");
        return received.Message;
    }

    /// <summary>Asserts that the next receive reports a dropped message (a non-fatal protocol error) and returns it.</summary>
    public static async Task<RpcProtocolException> ReceiveProtocolErrorAsync(this PeerHandle<StreamBody> peer)
    {
        try
        {
            var received = await peer.ReceiveMessageAsync().Within();
            Assert.Fail($"expected a protocol error, got {received}");
            throw new InvalidOperationException("unreachable");
        }
        catch (RpcProtocolException error)
        {
            return error;
        }
    }

    /// <summary>The body bytes as an array, for comparisons.</summary>
    public static byte[] Bytes(this Message<StreamBody> message) => message.Body.Data.ToArray();
}
