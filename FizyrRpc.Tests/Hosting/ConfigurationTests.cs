using FizyrRpc.Hosting;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FizyrRpc.Tests.Hosting;

/// <summary>Endpoints and limits bind from configuration (memory and environment), and bad settings stop the host at start with a clear error.</summary>
public class ConfigurationTests
{
    [Test]
    public async Task EndpointsAndLimitsBindFromTheEnvironmentAndConfiguration()
    {
        using var folder = TempFolder.Create();
        var prefix = $"FRPC_TEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Probe__Endpoints__0", $"unix-stream:{folder.SocketPath}");
        try
        {
            var builder = HostedTest.Builder(("Probe:MaxBodyLengthRead", "64"));
            builder.Configuration.AddEnvironmentVariables(prefix);
            HostedTest.AddProbeServer(builder.Services);
            using var host = await HostedTest.StartAsync(builder);

            Assert.That(host.Endpoint(), Is.EqualTo(new RpcEndpoint(RpcEndpointKind.UnixStream, folder.SocketPath)));
            await using var client = await host.ConnectAsync();
            Assert.That(await client.WhoAsync(), Is.Not.Empty);

            // A body past the bound read limit is a fatal protocol error for the server: it closes the connection.
            await Await.ThrowsAsync<ConnectionClosedException>(() => client.FailAsync(new string('x', 200)).WaitAsync(Loopback.Timeout));
            await host.StopAndDisposeAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Probe__Endpoints__0", null);
        }
    }

    private static IEnumerable<TestCaseData> BadServerSettings()
    {
        yield return new TestCaseData(new[] { ("Probe:MaxConnections", "3") }, "the FizyrRpc server ProbeServer has no endpoint: set Endpoints").SetName("no endpoint");
        yield return new TestCaseData(new[] { ("Probe:Endpoints:0", "tcp:camera") }, "Endpoints:0: 'tcp:camera' is not a TCP endpoint").SetName("a TCP endpoint without a port");
        yield return new TestCaseData(new[] { ("Probe:Endpoints:0", "http://camera") }, "Endpoints:0: 'http://camera' is not an endpoint; expected tcp:HOST:PORT").SetName("an unknown scheme");
        yield return new TestCaseData(new[] { ("Probe:Endpoints:0", "unix-seqpacket:/tmp/x.sock") }, "Endpoints:0: 'unix-seqpacket:/tmp/x.sock' is UnixSeqpacket, but this server serves Tcp or UnixStream").SetName("a seqpacket endpoint for a byte-stream server");
        yield return new TestCaseData(new[] { ("Probe:Endpoints:0", "tcp:127.0.0.1:0"), ("Probe:MaxBodyLengthRead", "0") }, "ProbeServer:MaxBodyLengthRead must be positive, not 0").SetName("a zero limit");
        yield return new TestCaseData(new[] { ("Probe:Endpoints:0", "tcp:127.0.0.1:0"), ("Probe:MaxConnections", "-1") }, "ProbeServer:MaxConnections must be positive, not -1").SetName("a negative connection limit");
    }

    [TestCaseSource(nameof(BadServerSettings))]
    public async Task BadServerSettingsStopTheHostAtStart((string, string?)[] settings, string expected)
    {
        var builder = HostedTest.Builder(settings);
        HostedTest.AddProbeServer(builder.Services);

        var error = await StartFailsAsync<OptionsValidationException>(builder);

        Assert.That(error.Message, Does.Contain(expected));
    }

    private static IEnumerable<TestCaseData> BadClientSettings()
    {
        yield return new TestCaseData(new[] { ("Client:ConnectOnStart", "true") }, "the FizyrRpc client IHostedProbe has no endpoint: set Endpoint").SetName("client: no endpoint");
        yield return new TestCaseData(new[] { ("Client:Endpoint", "unix-stream:") }, "Endpoint: 'unix-stream:' is not an endpoint").SetName("client: an empty path");
        yield return new TestCaseData(new[] { ("Client:Endpoint", "tcp:127.0.0.1:1"), ("Client:WaitForConnection", "-00:00:01") }, "IHostedProbe:WaitForConnection must not be negative").SetName("client: a negative wait");
        yield return new TestCaseData(new[] { ("Client:Endpoint", "tcp:127.0.0.1:1"), ("Client:ReconnectDelay", "00:00:02"), ("Client:MaxReconnectDelay", "00:00:01") }, "IHostedProbe:MaxReconnectDelay (00:00:01) must not be below ReconnectDelay (00:00:02)").SetName("client: a cap below the first delay");
    }

    [TestCaseSource(nameof(BadClientSettings))]
    public async Task BadClientSettingsStopTheHostAtStart((string, string?)[] settings, string expected)
    {
        var builder = HostedTest.Builder(settings);
        HostedTest.AddProbeClient(builder.Services);

        var error = await StartFailsAsync<OptionsValidationException>(builder);

        Assert.That(error.Message, Does.Contain(expected));
    }

    [Test]
    public async Task AnEndpointThatCannotBeBoundStopsTheHostWithTheEndpointInTheError()
    {
        using var folder = TempFolder.Create();
        var path = Path.Combine(folder.FolderPath, "not-a-socket");
        File.WriteAllText(path, "a regular file is never replaced by a socket");
        var error = await StartFailsAsync<InvalidOperationException>(HostedTest.ServerBuilder($"unix-stream:{path}"));

        Assert.That(error.Message, Does.StartWith($"The FizyrRpc server ProbeServer cannot listen on unix-stream:{path}: "));
        Assert.That(File.ReadAllText(path), Does.StartWith("a regular file"));
    }

    private static async Task<TException> StartFailsAsync<TException>(HostApplicationBuilder builder)
        where TException : Exception
    {
        using var host = builder.Build();
        return await Await.ThrowsAsync<TException>(() => host.StartAsync().WaitAsync(Loopback.Timeout));
    }
}
