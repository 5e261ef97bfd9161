using FizyrRpc.Hosting;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FizyrRpc.Tests.Hosting;

/// <summary>
/// A typed server run by a real Generic Host over real sockets: a scoped server per connection, graceful shutdown with
/// requests in flight, the shutdown timeout, handler failures, health, and the log events of each.
/// </summary>
public class HostedServerTests
{
    [Test]
    public async Task EachConnectionGetsItsOwnScopedServerDisposedWithTheConnection()
    {
        using var host = await HostedTest.StartAsync(HostedTest.ServerBuilder());
        var state = host.Services.GetRequiredService<ProbeState>();
        await using var first = await host.ConnectAsync();
        await using var second = await host.ConnectAsync();

        var firstId = await first.WhoAsync();
        var firstAgain = await first.WhoAsync();
        var secondId = await second.WhoAsync();

        Assert.That(firstAgain, Is.EqualTo(firstId), "one connection, one scope");
        Assert.That(secondId, Is.Not.EqualTo(firstId), "another connection, another scope");

        await first.CloseAsync();
        await state.ScopeDisposedAsync(firstId).WaitAsync(Loopback.Timeout);
        Assert.That(state.DisposedScopes, Is.EqualTo(new[] { firstId }), "only the closed connection's scope is disposed");
        Assert.That(await second.WhoAsync(), Is.EqualTo(secondId), "the other connection goes on");

        var closed = await host.WaitForEventAsync("ConnectionClosed");
        Assert.That(closed.Id.Id, Is.EqualTo(4));
        Assert.That(closed.Message, Does.Contain("ClosedByRemote"));
        var started = await host.WaitForEventAsync("ListenerStarted");
        Assert.That((started.Id.Id, started.Level), Is.EqualTo((1, LogLevel.Information)));
        Assert.That(started.Message, Is.EqualTo($"ProbeServer listening on {host.Endpoint()}"));
        Assert.That(host.Events("ConnectionAccepted").Select(record => record.Id.Id), Is.EqualTo(new[] { 3, 3 }));

        await host.StopAsync().WaitAsync(Loopback.Timeout);
        await state.ScopeDisposedAsync(secondId).WaitAsync(Loopback.Timeout);
        Assert.That(host.Events("ListenerStopped").Single().Id.Id, Is.EqualTo(2));
    }

    [Test]
    public async Task StoppingLetsRequestsInFlightFinishAndAnswersLaterOnesWithAnError()
    {
        using var host = await HostedTest.StartAsync(HostedTest.ServerBuilder());
        var state = host.Services.GetRequiredService<ProbeState>();
        var endpoint = host.Endpoint();
        await using var client = await host.ConnectAsync();
        var holds = Enumerable.Range(1, 3).Select(tag => client.HoldAsync(tag)).ToArray();
        await state.EnteredAsync(3).WaitAsync(Loopback.Timeout);

        var stopping = host.StopAsync();
        var draining = await host.WaitForEventAsync("Draining");
        Assert.That(draining.Id.Id, Is.EqualTo(9));
        Assert.That(draining.Message, Does.Contain("1 connections"));

        // Accepting has stopped.
        await Await.ThrowsAsync<System.Net.Sockets.SocketException>(() => FizyrRpc.Transports.TcpPeer.ConnectAsync(endpoint.Address));

        // New requests on the open connection are answered with an error once the server stopped reading: every call
        // is answered (a call that raced the stop is served), so this ends.
        RemoteErrorException? refused = null;
        for (var attempt = 0; refused is null && attempt < 100_000; attempt++)
        {
            try
            {
                await client.WhoAsync().WaitAsync(Loopback.Timeout);
            }
            catch (RemoteErrorException error)
            {
                refused = error;
            }
        }

        Assert.That(refused?.Message, Is.EqualTo("unexpected request for service 1"));
        Assert.That(stopping.IsCompleted, Is.False, "the handlers in flight hold the stop");

        state.Release.TrySetResult();
        Assert.That(await Task.WhenAll(holds).WaitAsync(Loopback.Timeout), Is.EqualTo(new[] { 1, 2, 3 }), "requests in flight finish normally");
        await stopping.WaitAsync(Loopback.Timeout);
        await client.Completion.WaitAsync(Loopback.Timeout);
        Assert.That(state.Cancelled, Is.Zero);
        Assert.That(host.Events("ShutdownTimedOut"), Is.Empty);
    }

    [Test]
    public async Task AfterTheShutdownTimeoutRunningHandlersAreCancelledAndAnsweredWithAnError()
    {
        var builder = HostedTest.ServerBuilder();
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromMilliseconds(100));
        using var host = await HostedTest.StartAsync(builder);
        var state = host.Services.GetRequiredService<ProbeState>();
        await using var client = await host.ConnectAsync();
        var holds = Enumerable.Range(1, 2).Select(tag => client.HoldAsync(tag)).ToArray();
        await state.EnteredAsync(2).WaitAsync(Loopback.Timeout);

        await host.StopAsync().WaitAsync(Loopback.Timeout);

        foreach (var hold in holds)
            await Await.ThrowsAsync<RemoteErrorException>(() => hold.WaitAsync(Loopback.Timeout));
        Assert.That(state.Cancelled, Is.EqualTo(2));
        await client.Completion.WaitAsync(Loopback.Timeout);
        var timedOut = host.Events("ShutdownTimedOut").Single();
        Assert.That((timedOut.Id.Id, timedOut.Level), Is.EqualTo((10, LogLevel.Warning)));
        Assert.That(host.Events("ConnectionsAborted"), Is.Empty, "the cancelled handlers ended within the abort timeout");
    }

    [Test]
    public async Task AHandlerFailureIsAnsweredAndLoggedWithItsException()
    {
        using var host = await HostedTest.StartAsync(HostedTest.ServerBuilder());
        await using var client = await host.ConnectAsync();

        var error = await Await.ThrowsAsync<RemoteErrorException>(() => client.FailAsync("the lens is cracked"));

        Assert.That(error.Message, Is.EqualTo("internal error in service 3"), "a fault's text stays on the server unless detailed errors are on");
        var failed = await host.WaitForEventAsync("HandlerFailed");
        Assert.That((failed.Id.Id, failed.Level, failed.Category), Is.EqualTo((210, LogLevel.Error, "FizyrRpc.Server")), "the engine logs it, through the host's logger factory");
        Assert.That(failed.Exception, Is.InstanceOf<InvalidOperationException>().With.Message.EqualTo("the lens is cracked"));
        Assert.That(failed.Message, Does.StartWith("Handler of HostedProbe/Fail failed (service 3, request "));
        Assert.That(host.Events("HandlerFailed"), Has.Length.EqualTo(1), "logged once, by the engine, not by the host too");
        await host.StopAndDisposeAsync();
    }

    [Test]
    public async Task TheHealthCheckIsHealthyWhileListeningAndUnhealthyAfterTheStop()
    {
        var builder = HostedTest.ServerBuilder();
        builder.Services.AddHealthChecks().AddFizyrRpcServer<ProbeServer>();
        using var host = await HostedTest.StartAsync(builder);
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var running = await health.CheckHealthAsync();
        Assert.That(running.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(running.Entries["fizyrrpc-server-ProbeServer"].Description, Is.EqualTo($"ProbeServer listening on {host.Endpoint()}"));

        await host.StopAsync().WaitAsync(Loopback.Timeout);
        var stopped = await health.CheckHealthAsync();
        Assert.That(stopped.Status, Is.EqualTo(HealthStatus.Unhealthy));
    }

    [Test]
    public async Task ConnectionsPastMaxConnectionsAreClosedAndLogged()
    {
        using var host = await HostedTest.StartAsync(HostedTest.ServerBuilder(settings: ("Probe:MaxConnections", "1")));
        await using var first = await host.ConnectAsync();
        var id = await first.WhoAsync();

        await using var second = await host.ConnectAsync();
        await Await.ThrowsAsync<ConnectionClosedException>(() => second.WhoAsync().WaitAsync(Loopback.Timeout));

        var refused = await host.WaitForEventAsync("ConnectionRefused");
        Assert.That((refused.Id.Id, refused.Level), Is.EqualTo((8, LogLevel.Warning)));
        Assert.That(await first.WhoAsync(), Is.EqualTo(id), "the first connection goes on");
        await host.StopAndDisposeAsync();
    }

    [Test]
    public async Task AHandlerThatIgnoresCancellationHasItsConnectionClosedAndTheStopEnds()
    {
        var builder = HostedTest.ServerBuilder(settings: ("Probe:AbortTimeout", "00:00:00.100"));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromMilliseconds(100));
        using var host = await HostedTest.StartAsync(builder);
        var state = host.Services.GetRequiredService<ProbeState>();
        await using var client = await host.ConnectAsync();
        var stubborn = client.StubbornAsync(1);
        await state.EnteredAsync(1).WaitAsync(Loopback.Timeout);

        await host.StopAsync().WaitAsync(Loopback.Timeout);

        await Await.ThrowsAsync<ConnectionClosedException>(() => stubborn);
        var aborted = host.Events("ConnectionsAborted").Single();
        Assert.That((aborted.Id.Id, aborted.Level), Is.EqualTo((11, LogLevel.Warning)));
        Assert.That(aborted.Message, Is.EqualTo("ProbeServer closed 1 connections whose handlers did not end within the abort timeout"));
        state.Release.TrySetResult(); // let the handler end
    }

    [Test]
    public async Task AConnectionWhoseServerCannotBeMadeIsClosedAndLogged()
    {
        // ProbeServer needs ConnectionScope, which is not registered here.
        var builder = HostedTest.Builder(("Probe:Endpoints:0", "tcp:127.0.0.1:0"));
        builder.Services.AddSingleton<ProbeState>();
        builder.Services.AddFizyrRpcServer<ProbeServer>().BindConfiguration("Probe");
        using var host = await HostedTest.StartAsync(builder);
        await using var client = await host.ConnectAsync();

        await Await.ThrowsAsync<ConnectionClosedException>(() => client.WhoAsync());

        var failed = await host.WaitForEventAsync("ServeFailed");
        Assert.That((failed.Id.Id, failed.Level), Is.EqualTo((12, LogLevel.Error)));
        Assert.That(failed.Exception, Is.InstanceOf<InvalidOperationException>().With.Message.Contains(nameof(ConnectionScope)));
        await host.StopAndDisposeAsync();
    }
}
