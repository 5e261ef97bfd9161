using System.Net.Sockets;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static FizyrRpc.Tests.Transports.TransientAcceptErrorTests;

namespace FizyrRpc.Tests.Diagnostics;

/// <summary>
/// A listener's accept errors in the log (events 220–222, category FizyrRpc.Listener), through
/// <see cref="PeerOptions.LoggerFactory"/>: a listener whose first accepts fail as scripted, then accept for real.
/// </summary>
public class ListenerLogTests
{
    private static (ILoggerFactory Factory, FakeLogCollector Logs) FakeLogs()
    {
        var provider = new FakeLoggerProvider();
        var factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(provider));
        return (factory, provider.Collector);
    }

    [Test]
    public async Task TransientErrorsAreDebugAndAShortageOfResourcesIsAWarningWithItsBackoff()
    {
        var (factory, logs) = FakeLogs();
        using var _ = factory;
        await using var listener = new ScriptedListener(
            new PeerOptions { LoggerFactory = factory },
            new SocketException((int)SocketError.ConnectionAborted),
            new SocketException((int)SocketError.TooManyOpenSockets));

        var accept = listener.AcceptAsync().AsTask();
        await using var client = await TcpPeer.ConnectAsync(listener.EndPoint).Within();
        var (server, _) = await accept.Within();
        await using var __ = server;

        var records = logs.GetSnapshot();
        var skipped = records.Single(record => record.Id.Name == "AcceptErrorSkipped");
        Assert.That((skipped.Id.Id, skipped.Level, skipped.Category), Is.EqualTo((220, LogLevel.Debug, "FizyrRpc.Listener")));
        Assert.That(skipped.Exception, Is.InstanceOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionAborted));
        Assert.That(skipped.GetStructuredStateValue("Listener"), Is.EqualTo(nameof(ScriptedListener)));
        var backoff = records.Single(record => record.Id.Name == "AcceptBackoff");
        Assert.That((backoff.Id.Id, backoff.Level, backoff.Category), Is.EqualTo((221, LogLevel.Warning, "FizyrRpc.Listener")));
        Assert.That(backoff.GetStructuredStateValue("Delay"), Is.EqualTo(TimeSpan.FromMilliseconds(5).ToString()));
        Assert.That(records.Where(record => record.Id.Name == "AcceptError"), Is.Empty);
    }

    [Test]
    public async Task AnErrorThatIsNotTransientIsLoggedAsAnErrorAndThrown()
    {
        var (factory, logs) = FakeLogs();
        using var _ = factory;
        await using var listener = new ScriptedListener(new PeerOptions { LoggerFactory = factory }, new SocketException((int)SocketError.AccessDenied));

        var error = await Await.ThrowsAsync<SocketException>(() => listener.AcceptAsync().AsTask());

        var logged = logs.GetSnapshot().Single();
        Assert.That((logged.Id.Id, logged.Id.Name, logged.Level, logged.Category), Is.EqualTo((222, "AcceptError", LogLevel.Error, "FizyrRpc.Listener")));
        Assert.That(logged.Exception, Is.SameAs(error));
    }

    [Test]
    public async Task AcceptedConnectionsLogThroughTheListenersFactory()
    {
        var (factory, logs) = FakeLogs();
        using var _ = factory;
        await using var listener = await TcpPeer.BindAsync("127.0.0.1:0", options: new PeerOptions { LoggerFactory = factory }).Within();

        var accept = listener.AcceptAsync().AsTask();
        await using (await TcpPeer.ConnectAsync(listener.LocalEndPoint).Within())
        {
            var (server, _) = await accept.Within();
            await server.DisposeAsync();
            await server.Completion.Within();
        }

        var names = logs.GetSnapshot().Select(record => (record.Id.Name, record.Category)).ToArray();
        Assert.That(names, Is.EqualTo(new (string?, string?)[] { ("ConnectionOpened", "FizyrRpc.Connection"), ("ConnectionEnded", "FizyrRpc.Connection") }));
    }
}
