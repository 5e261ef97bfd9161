using FizyrRpc.Hosting;
using FizyrRpc.Tests.Hosting;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace FizyrRpc.Tests.Diagnostics;

/// <summary>
/// The <c>FizyrRpc</c> meter, read with <see cref="MetricCollector{T}"/> while a real host serves the diagnostics probe
/// over real sockets. Client and server run in this process, so both sides' measurements are seen; the probe's
/// interface name (<c>DiagnosticsProbe</c>) and the bodies' sizes tell this test's measurements from any other's.
/// </summary>
public class MetricsTests
{
    private static MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(null, RpcDiagnostics.MeterName, instrument);

    private static CollectedMeasurement<double>[] Calls(MetricCollector<double> collector, string method) =>
        [.. collector.GetMeasurementSnapshot().Where(m => m.Tags[RpcDiagnostics.Tags.RpcMethod] as string == method)];

    private static void AssertCallTags(CollectedMeasurement<double> call, string method, string outcome, string? errorType)
    {
        Assert.That(call.Tags, Does.ContainKey(RpcDiagnostics.Tags.RpcSystem).WithValue("fizyr_rpc"));
        Assert.That(call.Tags, Does.ContainKey(RpcDiagnostics.Tags.RpcMethod).WithValue(method));
        Assert.That(call.Tags, Does.ContainKey(RpcDiagnostics.Tags.RpcService).WithValue("DiagnosticsProbe"));
        Assert.That(call.Tags, Does.ContainKey(RpcDiagnostics.Tags.Transport).WithValue("tcp"));
        Assert.That(call.Tags, Does.ContainKey(RpcDiagnostics.Tags.NetworkTransport).WithValue("tcp"));
        Assert.That(call.Tags, Does.ContainKey(RpcDiagnostics.Tags.Outcome).WithValue(outcome), method);
        if (errorType is null)
            Assert.That(call.Tags, Does.Not.ContainKey(RpcDiagnostics.Tags.ErrorType));
        else
            Assert.That(call.Tags, Does.ContainKey(RpcDiagnostics.Tags.ErrorType).WithValue(errorType), method);
        Assert.That(call.Value, Is.GreaterThanOrEqualTo(0).And.LessThan(Loopback.Timeout.TotalSeconds));
    }

    [Test]
    public async Task CallDurationsCarryTheMethodTheTransportAndTheOutcomeOnBothSides()
    {
        using var clientCalls = Collect<double>(RpcDiagnostics.Instruments.ClientCallDuration);
        using var serverCalls = Collect<double>(RpcDiagnostics.Instruments.ServerCallDuration);
        using var host = await DiagnosticsHost.StartAsync();
        var client = await host.ConnectProbeAsync();

        Assert.That(await client.EchoAsync("hi").Within(), Is.EqualTo("hi"));
        await Await.ThrowsAsync<RemoteErrorException>(() => client.RefuseAsync("no film"));
        await Await.ThrowsAsync<RemoteErrorException>(() => client.BreakAsync("lens cracked"));
        using (var cancel = new CancellationTokenSource())
        {
            var held = client.HoldAsync(cancel.Token);
            await host.ProbeState().Holding.Task.Within();
            await cancel.CancelAsync();
            await Await.ThrowsAsync<OperationCanceledException>(() => held);
        }

        var lost = client.HoldAsync();
        await client.CloseAsync().Within(); // the pending call loses its connection; the server's handler is cancelled
        await Await.ThrowsAsync<ConnectionClosedException>(() => lost);
        await client.DisposeAsync();
        await host.WaitForEventAsync("ConnectionClosed"); // the hosted server logs it once the connection's handlers have ended

        AssertCallTags(Calls(clientCalls, "DiagnosticsProbe/Echo").Single(), "DiagnosticsProbe/Echo", "success", null);
        AssertCallTags(Calls(clientCalls, "DiagnosticsProbe/Refuse").Single(), "DiagnosticsProbe/Refuse", "error_response", "error_response");
        AssertCallTags(Calls(clientCalls, "DiagnosticsProbe/Break").Single(), "DiagnosticsProbe/Break", "error_response", "error_response");
        var holds = Calls(clientCalls, "DiagnosticsProbe/Hold");
        Assert.That(holds, Has.Length.EqualTo(2));
        AssertCallTags(holds[0], "DiagnosticsProbe/Hold", "cancelled", "cancelled");
        AssertCallTags(holds[1], "DiagnosticsProbe/Hold", "connection_lost", "connection_lost");

        AssertCallTags(Calls(serverCalls, "DiagnosticsProbe/Echo").Single(), "DiagnosticsProbe/Echo", "success", null);
        AssertCallTags(Calls(serverCalls, "DiagnosticsProbe/Refuse").Single(), "DiagnosticsProbe/Refuse", "error_response", "error_response");
        AssertCallTags(Calls(serverCalls, "DiagnosticsProbe/Break").Single(), "DiagnosticsProbe/Break", "failed", typeof(InvalidOperationException).FullName);
        var served = Calls(serverCalls, "DiagnosticsProbe/Hold");
        Assert.That(served, Has.Length.EqualTo(2), "both holds ended when the connection closed");
        foreach (var hold in served)
            AssertCallTags(hold, "DiagnosticsProbe/Hold", "connection_lost", "connection_lost");
        await host.StopAndDisposeAsync();
    }

    [Test]
    public async Task AServiceTheInterfaceDoesNotDeclareIsOtherAndAnErrorResponse()
    {
        using var serverCalls = Collect<double>(RpcDiagnostics.Instruments.ServerCallDuration);
        using var host = await DiagnosticsHost.StartAsync();
        await using (var peer = await TcpPeer.ConnectAsync(host.ProbeEndpoint().Address).Within())
        {
            using var sent = await peer.SendRequestAsync(99, StreamBody.FromBytes(Array.Empty<byte>())).Within();
            var response = await sent.ReceiveResponseAsync().Within();
            using (response.Body)
                Assert.That(response.Header.IsErrorResponse);
        }

        await host.WaitForEventAsync("ConnectionClosed");
        var other = serverCalls.GetMeasurementSnapshot()
            .Single(m => m.Tags[RpcDiagnostics.Tags.RpcService] as string == "DiagnosticsProbe");
        Assert.That(other.Tags, Does.ContainKey(RpcDiagnostics.Tags.RpcMethod).WithValue("_OTHER"));
        Assert.That(other.Tags, Does.ContainKey(RpcDiagnostics.Tags.Outcome).WithValue("error_response"));
        await host.StopAndDisposeAsync();
    }

    [Test]
    public async Task ConnectionsMessagesAndBodyBytesAreCountedBothWays()
    {
        using var open = Collect<long>(RpcDiagnostics.Instruments.OpenConnections);
        using var sentMessages = Collect<long>(RpcDiagnostics.Instruments.MessagesSent);
        using var receivedMessages = Collect<long>(RpcDiagnostics.Instruments.MessagesReceived);
        using var sentBytes = Collect<long>(RpcDiagnostics.Instruments.BodyBytesSent);
        using var receivedBytes = Collect<long>(RpcDiagnostics.Instruments.BodyBytesReceived);
        using var host = await DiagnosticsHost.StartAsync();
        var text = new string('x', 1234);
        var requestBytes = IDiagnosticsProbe.DefaultFormat.Encode(text).Length;

        await using (var client = await host.ConnectProbeAsync())
        {
            await open.WaitForMeasurementsAsync(2, Loopback.Timeout); // both ends of the connection: ours and the server's
            Assert.That(await client.EchoAsync(text).Within(), Is.EqualTo(text));
        }

        await host.WaitForEventAsync("ConnectionEnded");
        await open.WaitForMeasurementsAsync(4, Loopback.Timeout);
        var changes = open.GetMeasurementSnapshot();
        Assert.That(changes.Select(m => m.Value).Order(), Is.EqualTo(new long[] { -1, -1, 1, 1 }));
        Assert.That(changes.All(m => m.Tags[RpcDiagnostics.Tags.Transport] as string == "tcp" && m.Tags[RpcDiagnostics.Tags.RpcSystem] as string == "fizyr_rpc"));

        // The request (client -> server) and the response (server -> client), each once sent and once received, with the same body size.
        foreach (var (messages, bytes) in new[] { (sentMessages, sentBytes), (receivedMessages, receivedBytes) })
        {
            foreach (var type in new[] { "request", "response" })
            {
                var ofType = bytes.GetMeasurementSnapshot().Where(m => m.Tags[RpcDiagnostics.Tags.MessageType] as string == type && m.Value == requestBytes).ToArray();
                Assert.That(ofType, Has.Length.EqualTo(1), $"{type} body bytes");
                Assert.That(ofType[0].Tags, Does.ContainKey(RpcDiagnostics.Tags.Transport).WithValue("tcp"));
                Assert.That(messages.GetMeasurementSnapshot().Count(m => m.Tags[RpcDiagnostics.Tags.MessageType] as string == type), Is.GreaterThanOrEqualTo(1), $"{type} messages");
            }
        }

        await host.StopAndDisposeAsync();
    }

    [Test]
    public async Task AReconnectIsCountedWithTheClientsServiceAndTransport()
    {
        using var reconnects = Collect<long>(RpcDiagnostics.Instruments.Reconnects);
        using var folder = TempFolder.Create();
        var endpoint = $"unix-stream:{folder.SocketPath}";
        var server = await DiagnosticsHost.StartAsync(endpoint);
        var builder = HostedTest.Builder(("Client:Endpoint", endpoint), ("Client:ReconnectDelay", "00:00:00.010"));
        builder.Services.AddFizyrRpcClient<IDiagnosticsProbe>(connection => new IDiagnosticsProbe.Client(connection)).BindConfiguration("Client");
        using var clientHost = await HostedTest.StartAsync(builder);
        var probe = clientHost.Services.GetRequiredService<IDiagnosticsProbe>();
        var connection = clientHost.Services.GetRequiredService<RpcClientConnection<IDiagnosticsProbe>>();

        Assert.That(await probe.EchoAsync("before").Within(), Is.EqualTo("before"));
        Assert.That(reconnects.GetMeasurementSnapshot(), Is.Empty, "the first connection is not a reconnect");
        await server.StopAndDisposeAsync();
        await clientHost.WaitForEventAsync("ConnectionLost");
        server = await DiagnosticsHost.StartAsync(endpoint);
        await reconnects.WaitForMeasurementsAsync(1, Loopback.Timeout);

        var reconnect = reconnects.GetMeasurementSnapshot()[0];
        Assert.That(reconnect.Value, Is.EqualTo(1));
        Assert.That(reconnect.Tags, Does.ContainKey(RpcDiagnostics.Tags.RpcService).WithValue(nameof(IDiagnosticsProbe)));
        Assert.That(reconnect.Tags, Does.ContainKey(RpcDiagnostics.Tags.Transport).WithValue("unix_stream"));
        Assert.That(reconnect.Tags, Does.ContainKey(RpcDiagnostics.Tags.NetworkTransport).WithValue("unix"));
        await connection.WaitUntilConnectedAsync().Within();
        await clientHost.StopAndDisposeAsync();
        await server.StopAndDisposeAsync();
    }

    [Test]
    public void NothingIsMeasuredOrTracedWhileNobodyListens()
    {
        // No collector and no activity listener here: a call makes no telemetry object at all.
        Assert.That(RpcCallTelemetry.StartClient(IDiagnosticsProbe.Info, 1), Is.Null);
        using (Collect<double>(RpcDiagnostics.Instruments.ClientCallDuration))
            Assert.That(RpcCallTelemetry.StartClient(IDiagnosticsProbe.Info, 1), Is.Not.Null);
        Assert.That(RpcCallTelemetry.StartClient(IDiagnosticsProbe.Info, 1), Is.Null, "and none once the listener has gone");
    }
}
