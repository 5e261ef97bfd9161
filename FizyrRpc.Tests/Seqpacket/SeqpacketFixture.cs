using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>The base of every seqpacket fixture: its tests are skipped where the transport is not supported.</summary>
public abstract class SeqpacketFixture
{
    [SetUp]
    public void RequireSeqpacketSupport()
    {
        if (!UnixSeqpacketPeer.IsSupported)
            Assert.Ignore("Unix seqpacket sockets with descriptor passing are supported on 64-bit Linux only.");
    }
}
