using FizyrRpc.Hosting;

namespace FizyrRpc.Tests.Hosting;

/// <summary>Endpoints as configuration writes them, and as the fizyr-rpc command line does.</summary>
public sealed class RpcEndpointTests
{
    [TestCase("tcp:127.0.0.1:5000", RpcEndpointKind.Tcp, "127.0.0.1:5000")]
    [TestCase("tcp://127.0.0.1:5000", RpcEndpointKind.Tcp, "127.0.0.1:5000")]
    [TestCase("tcp://[::1]:5000", RpcEndpointKind.Tcp, "[::1]:5000")]
    [TestCase("unix-stream:/run/camera.sock", RpcEndpointKind.UnixStream, "/run/camera.sock")]
    [TestCase("unix:/run/camera.sock", RpcEndpointKind.UnixStream, "/run/camera.sock")]
    [TestCase("unix-seqpacket:/run/camera.sock", RpcEndpointKind.UnixSeqpacket, "/run/camera.sock")]
    [TestCase("TCP://127.0.0.1:5000/", RpcEndpointKind.Tcp, "127.0.0.1:5000")]
    public void BothFormsParseToTheSameEndpoint(string text, RpcEndpointKind kind, string address)
    {
        Assert.That(RpcEndpoint.Parse(text), Is.EqualTo(new RpcEndpoint(kind, address)));
    }

    [TestCase("tcp://camera")]
    [TestCase("unix:")]
    [TestCase("http://127.0.0.1:5000")]
    public void AnythingElseIsAFormatError(string text)
    {
        Assert.That(RpcEndpoint.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Does.Contain($"'{text}'"), "the error names the endpoint as it was written");
    }

    [TestCase("", "the endpoint is empty; expected tcp:HOST:PORT, unix-stream:PATH or unix-seqpacket:PATH")]
    [TestCase("camera:5000", "'camera:5000' is not an endpoint; expected tcp:HOST:PORT, unix-stream:PATH or unix-seqpacket:PATH")]
    [TestCase("tcp:camera", "'tcp:camera' is not a TCP endpoint: Expected host:port, ipv4:port or [ipv6]:port, got 'camera'.")]
    [TestCase("unix-seqpacket:", "'unix-seqpacket:' is not an endpoint: the socket path is missing")]
    public void TheErrorSaysWhy(string text, string expected)
    {
        Assert.That(RpcEndpoint.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
        Assert.That(() => RpcEndpoint.Parse(text), Throws.TypeOf<FormatException>().With.Message.EqualTo(expected));
    }
}
