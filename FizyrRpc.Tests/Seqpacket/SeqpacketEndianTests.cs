using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// The byte order setting end to end: big endian peers exchange every kind of message with descriptors; explicit
/// little endian and the native default agree here; a mismatch is visible (a big endian stream read as little endian
/// has an invalid message type).
/// </summary>
public class SeqpacketEndianTests : SeqpacketFixture
{
    [Test]
    public async Task BigEndianPeersExchangeEveryKindWithDescriptors([Values] MessageKind kind, [Values] Direction direction)
    {
        await using var pair = await SeqpacketPair.ConnectAsync(new UnixConfig { Endian = Endian.Big });
        var (sender, receiver) = pair.Sides(direction);

        using var body = await Conversation.SendAndReceiveAsync(sender, receiver, kind, Bodies.WithMemfds("big endian", "fd 1", "fd 2"));

        Bodies.AssertMemfds(body, "big endian", "fd 1", "fd 2");
    }

    [Test]
    public async Task LittleEndianAndTheNativeDefaultAgreeOnThisMachine([Values] MessageKind kind)
    {
        Assume.That(BitConverter.IsLittleEndian, Is.True);
        await using var pair = await SeqpacketPair.ConnectAsync(new UnixConfig { Endian = Endian.Little }, new UnixConfig());

        using var body = await Conversation.SendAndReceiveAsync(pair.Client, pair.Server, kind, Bodies.WithMemfds("little", "fd"));

        Bodies.AssertMemfds(body, "little", "fd");
    }

    [Test]
    public async Task ABigEndianStreamReadAsLittleEndianHasAnInvalidType()
    {
        Assume.That(BitConverter.IsLittleEndian, Is.True);
        await using var pair = await SeqpacketPair.ConnectAsync(new UnixConfig { Endian = Endian.Big }, new UnixConfig { Endian = Endian.Little });

        await pair.Client.SendStreamAsync(1, Bodies.WithMemfds("misread", "fd")).WithTimeout();

        var closed = await Waits.ThrowsAsync<ConnectionClosedException>(() => pair.Server.ReceiveMessageAsync().AsTask());
        Assert.That(closed.Reason, Is.EqualTo(CloseReason.ProtocolError));
        Assert.That((closed.InnerException as RpcProtocolException)?.Error, Is.EqualTo(ProtocolError.InvalidMessageType));
    }
}
