using System.Net.Sockets;
using FizyrRpc.Tests.Hosting;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FizyrRpc.Tests.Diagnostics;

/// <summary>
/// The engine's own log events (FizyrRpc.Core, IDs 201–222), reaching the host's logger through the
/// <see cref="PeerOptions.LoggerFactory"/> that FizyrRpc.Hosting sets; over real sockets, from the server's side.
/// </summary>
public class EngineLogTests
{
    private static FakeLogRecord Single(IHost host, string name)
    {
        var records = host.Events(name);
        Assert.That(records, Has.Length.EqualTo(1), $"one {name} event");
        return records[0];
    }

    [Test]
    public async Task AConnectionIsLoggedWhenItOpensAndWhenItEndsWithItsReason()
    {
        using var host = await DiagnosticsHost.StartAsync();
        await using (var client = await host.ConnectProbeAsync())
            Assert.That(await client.EchoAsync("hello").Within(), Is.EqualTo("hello"));

        var ended = await host.WaitForEventAsync("ConnectionEnded");
        var opened = Single(host, "ConnectionOpened");
        Assert.That((opened.Id.Id, opened.Level, opened.Category), Is.EqualTo((201, LogLevel.Debug, "FizyrRpc.Connection")));
        Assert.That(opened.GetStructuredStateValue("Transport"), Is.EqualTo("tcp"));
        Assert.That(opened.Message, Does.Contain("TcpConnectionInfo"));
        Assert.That(host.Events("ConnectionEnded"), Has.Length.EqualTo(1));
        Assert.That((ended.Id.Id, ended.Level, ended.Category), Is.EqualTo((202, LogLevel.Debug, "FizyrRpc.Connection")));
        Assert.That(ended.GetStructuredStateValue("Reason"), Is.EqualTo(nameof(CloseReason.ClosedByRemote)));
        Assert.That(host.Events("ConnectionFailed"), Is.Empty);
        await host.StopAndDisposeAsync();
    }

    [Test]
    public async Task AConnectionCutInTheMiddleOfAMessageIsLoggedAsFailed()
    {
        using var host = await DiagnosticsHost.StartAsync();
        using (var socket = await host.ConnectRawAsync())
        {
            var frame = DiagnosticsHost.Frame(0, 1, 1, bodyLength: 100);
            await socket.SendAsync(frame.AsMemory(0, 40)).Within(); // the header and part of the body
            socket.Shutdown(SocketShutdown.Send);
            await host.WaitForEventAsync("ConnectionFailed");
        }

        var failed = Single(host, "ConnectionFailed");
        Assert.That((failed.Id.Id, failed.Level, failed.Category), Is.EqualTo((203, LogLevel.Information, "FizyrRpc.Connection")));
        Assert.That(failed.GetStructuredStateValue("Reason"), Is.EqualTo(nameof(CloseReason.EndedMidMessage)));
        Assert.That(failed.Exception, Is.InstanceOf<EndOfStreamException>());
        Assert.That(host.Events("ConnectionEnded"), Is.Empty, "a failure is not also logged as a clean end");
        await host.StopAndDisposeAsync();
    }

    [Test]
    public async Task AFatalProtocolErrorIsAWarningAndIsCounted()
    {
        using var errors = new MetricCollector<long>(null, RpcDiagnostics.MeterName, RpcDiagnostics.Instruments.ProtocolErrors);
        using var host = await DiagnosticsHost.StartAsync();
        using (var socket = await host.ConnectRawAsync())
        {
            await socket.SendAsync(DiagnosticsHost.Frame(9, 1, 1)).Within(); // message type 9 does not exist
            await host.WaitForEventAsync("ProtocolErrorFatal");
        }

        var fatal = Single(host, "ProtocolErrorFatal");
        Assert.That((fatal.Id.Id, fatal.Level, fatal.Category), Is.EqualTo((204, LogLevel.Warning, "FizyrRpc.Connection")));
        Assert.That(fatal.GetStructuredStateValue("ProtocolError"), Is.EqualTo(nameof(ProtocolError.InvalidMessageType)));
        Assert.That(fatal.Exception, Is.InstanceOf<RpcProtocolException>().With.Property(nameof(RpcProtocolException.IsFatal)).True);
        var counted = errors.GetMeasurementSnapshot().Single(m => m.Tags[RpcDiagnostics.Tags.ProtocolError] is nameof(ProtocolError.InvalidMessageType));
        Assert.That(counted.Value, Is.EqualTo(1));
        Assert.That(counted.Tags, Does.ContainKey(RpcDiagnostics.Tags.Fatal).WithValue(true));
        Assert.That(counted.Tags, Does.ContainKey(RpcDiagnostics.Tags.Transport).WithValue("tcp"));
        Assert.That(counted.Tags, Does.ContainKey(RpcDiagnostics.Tags.RpcSystem).WithValue("fizyr_rpc"));
        await host.StopAndDisposeAsync();
    }

    [Test]
    public async Task AMessageDroppedOnAProtocolErrorIsLoggedAtDebugAndCountedAndTheConnectionGoesOn()
    {
        using var errors = new MetricCollector<long>(null, RpcDiagnostics.MeterName, RpcDiagnostics.Instruments.ProtocolErrors);
        using var host = await DiagnosticsHost.StartAsync();
        using var socket = await host.ConnectRawAsync();

        await socket.SendAsync(DiagnosticsHost.Frame(1, 77, 0)).Within(); // a response to a request never sent
        var dropped = await host.WaitForEventAsync("MessageDropped");

        Assert.That((dropped.Id.Id, dropped.Level, dropped.Category), Is.EqualTo((205, LogLevel.Debug, "FizyrRpc.Connection")));
        Assert.That(dropped.GetStructuredStateValue("ProtocolError"), Is.EqualTo(nameof(ProtocolError.UnknownRequestId)));
        var counted = errors.GetMeasurementSnapshot().Single(m => m.Tags[RpcDiagnostics.Tags.ProtocolError] is nameof(ProtocolError.UnknownRequestId));
        Assert.That(counted.Tags, Does.ContainKey(RpcDiagnostics.Tags.Fatal).WithValue(false));
        Assert.That(host.Events("ProtocolErrorFatal"), Is.Empty);
        Assert.That(host.Events("ConnectionClosed"), Is.Empty, "the connection stays open");
        socket.Shutdown(SocketShutdown.Send);
        await host.WaitForEventAsync("ConnectionEnded");
        await host.StopAndDisposeAsync();
    }
}
