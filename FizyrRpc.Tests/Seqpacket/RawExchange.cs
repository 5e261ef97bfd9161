using System.Text;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>Steps shared by the tests that face a real peer with a raw socket.</summary>
internal static class RawExchange
{
    /// <summary>
    /// Sends <paramref name="datagram"/> with <paramref name="count"/> duplicates of the pipe's write end, then closes
    /// every write end this side holds: from then on the only copies are the ones in flight or at the peer.
    /// </summary>
    public static void SendWithWriteEnds(RawSeqpacket raw, byte[] datagram, Pipe pipe, int count)
    {
        var copies = Enumerable.Range(0, count).Select(_ => Descriptors.Duplicate(pipe.WriteEnd)).ToArray();
        try
        {
            raw.Send(datagram, copies);
        }
        finally
        {
            foreach (var copy in copies)
                copy.Dispose();
            pipe.WriteEnd.Dispose();
        }
    }

    /// <summary>Expects the next receive of the peer to report a dropped message as a non-fatal protocol error.</summary>
    public static async Task<RpcProtocolException> ExpectDroppedAsync(PeerHandle<UnixBody> peer, ProtocolError error)
    {
        var reported = await Waits.ThrowsAsync<RpcProtocolException>(() => peer.ReceiveMessageAsync().AsTask());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reported.Error, Is.EqualTo(error), reported.Message);
            Assert.That(reported.IsFatal, Is.False, "only the one datagram is dropped");
            Assert.That(peer.CloseError, Is.Null, "the connection stays open");
        }

        return reported;
    }

    /// <summary>
    /// Proves the connection still works both ways, descriptors included: the raw side sends a request with a memfd,
    /// the peer reads it and answers with a memfd, and the answer is the next datagram the raw side receives.
    /// </summary>
    /// <param name="raw">The raw side and its peer.</param>
    /// <param name="requestWithDescriptor">False for a peer that accepts no descriptors at all.</param>
    public static async Task AssertStillUsableAsync(RawSeqpacket raw, bool requestWithDescriptor = true)
    {
        const uint RequestId = 4242;
        string[] requestFds = requestWithDescriptor ? ["request fd after the bad datagram"] : [];
        var memfds = requestFds.Select(Descriptors.Memfd).ToArray();
        raw.SendMessage(MessageHeader.Request(RequestId, 77), "still there?"u8, memfds);
        foreach (var memfd in memfds)
            memfd.Dispose();

        var received = await raw.Peer.ReceiveMessageAsync().WithTimeout();
        Assert.That(received.IsRequest, Is.True, $"expected the request, got {received}");
        using (var request = received.Request!)
        using (var body = request.Body)
        {
            Assert.That(request.RequestId, Is.EqualTo(RequestId));
            Bodies.AssertMemfds(body, "still there?", requestFds);
            await request.SendResponseAsync(77, Bodies.WithMemfds("yes", "response fd")).WithTimeout();
        }

        using var answer = await raw.ReceiveAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Header, Is.EqualTo(MessageHeader.Response(RequestId, 77)));
            Assert.That(Encoding.UTF8.GetString(answer.Body), Is.EqualTo("yes"));
            Assert.That(answer.Descriptors.Select(Descriptors.ReadText), Is.EqualTo(new[] { "response fd" }));
        }
    }
}
