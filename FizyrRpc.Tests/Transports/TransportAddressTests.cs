using System.Net;
using System.Net.Sockets;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Transports;

/// <summary>The one address reader behind the command line's addresses and Hosting's endpoints.</summary>
public sealed class TransportAddressTests
{
    [TestCase("tcp:127.0.0.1:5000", TransportKind.Tcp, "127.0.0.1:5000")]
    [TestCase("tcp://127.0.0.1:5000", TransportKind.Tcp, "127.0.0.1:5000")]
    [TestCase("tcp://127.0.0.1:5000/", TransportKind.Tcp, "127.0.0.1:5000")]
    [TestCase("TCP://[::1]:5000", TransportKind.Tcp, "[::1]:5000")]
    [TestCase("tcp:camera.local:5000", TransportKind.Tcp, "camera.local:5000")]
    [TestCase("unix-stream:/run/camera.sock", TransportKind.UnixStream, "/run/camera.sock")]
    [TestCase("unix:/run/camera.sock", TransportKind.UnixStream, "/run/camera.sock")]
    [TestCase("Unix:relative.sock", TransportKind.UnixStream, "relative.sock")]
    [TestCase("unix-seqpacket:/run/camera.sock", TransportKind.UnixSeqpacket, "/run/camera.sock")]
    public void EveryFormIsRead(string text, TransportKind kind, string target)
    {
        Assert.That(TransportAddress.TryParse(text, out var address, out var error, out var reason), Is.True, reason);
        Assert.That(address, Is.EqualTo(new TransportAddress(kind, target)));
        Assert.That(error, Is.EqualTo(TransportAddressError.None));
        Assert.That(address!.IsByteStream, Is.EqualTo(kind != TransportKind.UnixSeqpacket));
    }

    [TestCase(null, TransportAddressError.Empty)]
    [TestCase("", TransportAddressError.Empty)]
    [TestCase("  ", TransportAddressError.Empty)]
    [TestCase("localhost:5000", TransportAddressError.UnknownScheme)]
    [TestCase("http://127.0.0.1:5000", TransportAddressError.UnknownScheme)]
    [TestCase("unix-dgram:/x", TransportAddressError.UnknownScheme)]
    [TestCase("unix:", TransportAddressError.MissingPath)]
    [TestCase("unix-stream:", TransportAddressError.MissingPath)]
    [TestCase("unix-seqpacket:", TransportAddressError.MissingPath)]
    [TestCase("tcp://camera", TransportAddressError.InvalidTcpEndPoint)]
    [TestCase("tcp:", TransportAddressError.InvalidTcpEndPoint)]
    [TestCase("tcp:127.0.0.1:70000", TransportAddressError.InvalidTcpEndPoint)]
    [TestCase("tcp://::1:5000", TransportAddressError.InvalidTcpEndPoint)]
    public void AnythingElseSaysWhichRuleItBroke(string? text, TransportAddressError expected)
    {
        Assert.That(TransportAddress.TryParse(text, out var address, out var error, out var reason), Is.False);
        Assert.That(address, Is.Null);
        Assert.That(error, Is.EqualTo(expected));
        Assert.That(reason, Is.Not.Empty);
    }

    [Test]
    public void ATcpReasonIsTheEndPointReadersOwn()
    {
        TransportAddress.TryParse("tcp://::1:5000", out _, out _, out var reason);

        Assert.That(reason, Is.EqualTo("An IPv6 address needs brackets: '[::1]:5000'."));
    }

    [Test]
    public void TheEndPointIsTheOneToBindOrConnectTo()
    {
        Assert.That(new TransportAddress(TransportKind.Tcp, "127.0.0.1:5000").ToEndPoint(), Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 5000)));
        Assert.That(new TransportAddress(TransportKind.Tcp, "camera:5000").ToEndPoint(), Is.EqualTo(new DnsEndPoint("camera", 5000)));
        var unix = new TransportAddress(TransportKind.UnixSeqpacket, "/run/x.sock").ToEndPoint();
        Assert.That(unix, Is.TypeOf<UnixDomainSocketEndPoint>());
        Assert.That(unix.ToString(), Is.EqualTo("/run/x.sock"));
    }

    [TestCase("tcp://127.0.0.1:5000", "tcp:127.0.0.1:5000")]
    [TestCase("unix:/run/x.sock", "unix-stream:/run/x.sock")]
    [TestCase("unix-seqpacket:/run/x.sock", "unix-seqpacket:/run/x.sock")]
    public void ItIsWrittenInTheConfigurationFormAndReadsBack(string text, string written)
    {
        TransportAddress.TryParse(text, out var address, out _, out _);

        Assert.That(address!.ToString(), Is.EqualTo(written));
        Assert.That(TransportAddress.TryParse(written, out var again, out _, out _) && again == address, Is.True);
    }
}
