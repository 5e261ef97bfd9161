using System.Diagnostics;
using FizyrRpc.Tests.Hosting;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace FizyrRpc.Tests.Diagnostics;

/// <summary>
/// The <c>FizyrRpc</c> activity source, exported by OpenTelemetry's in-memory exporter while a real host serves the
/// diagnostics probe over real sockets: a client span per typed call, a server span per handled request.
/// </summary>
public class TraceTests
{
    private static readonly ActivitySource Test = new("FizyrRpc.Tests.Diagnostics");

    private static Activity[] Spans(List<Activity> exported, string method, ActivityKind kind)
    {
        lock (exported)
            return [.. exported.Where(span => span.DisplayName == method && span.Kind == kind)];
    }

    [Test]
    public async Task EachCallHasAClientSpanUnderTheCallerAndAServerSpanThatIsARoot()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(RpcDiagnostics.ActivitySourceName, Test.Name)
            .AddInMemoryExporter(exported)
            .Build();
        using var host = await DiagnosticsHost.StartAsync();
        ActivityTraceId callerTrace;
        await using (var client = await host.ConnectProbeAsync())
        {
            using (var caller = Test.StartActivity("cell cycle"))
            {
                callerTrace = caller!.TraceId;
                Assert.That(await client.EchoAsync("hi").Within(), Is.EqualTo("hi"));
                Assert.That(Activity.Current, Is.SameAs(caller), "the client span does not stay current after the call");
                await Await.ThrowsAsync<RemoteErrorException>(() => client.BreakAsync("lens cracked"));
            }
        }

        await host.WaitForEventAsync("ConnectionClosed"); // the connection's handlers have all ended, so have their spans

        var call = Spans(exported, "DiagnosticsProbe/Echo", ActivityKind.Client).Single();
        Assert.That(call.TraceId, Is.EqualTo(callerTrace), "a client span is a child of the caller's");
        Assert.That(call.Source.Name, Is.EqualTo("FizyrRpc"));
        Assert.That(call.Status, Is.EqualTo(ActivityStatusCode.Unset));
        Assert.That(call.GetTagItem("rpc.system.name"), Is.EqualTo("fizyr_rpc"));
        Assert.That(call.GetTagItem("rpc.method"), Is.EqualTo("DiagnosticsProbe/Echo"));
        Assert.That(call.GetTagItem("rpc.service"), Is.EqualTo("DiagnosticsProbe"));
        Assert.That(call.GetTagItem("fizyr_rpc.service.id"), Is.EqualTo(1));
        Assert.That(call.GetTagItem("fizyr_rpc.request.id"), Is.InstanceOf<uint>());
        Assert.That(call.GetTagItem("fizyr_rpc.transport"), Is.EqualTo("tcp"));
        Assert.That(call.GetTagItem("network.transport"), Is.EqualTo("tcp"));
        Assert.That(call.GetTagItem("fizyr_rpc.outcome"), Is.EqualTo("success"));
        Assert.That(call.GetTagItem("error.type"), Is.Null);

        var served = Spans(exported, "DiagnosticsProbe/Echo", ActivityKind.Server).Single();
        Assert.That(served.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "the header carries no trace context: a server span is a root");
        Assert.That(served.TraceId, Is.Not.EqualTo(callerTrace));
        Assert.That(served.GetTagItem("rpc.method"), Is.EqualTo("DiagnosticsProbe/Echo"));
        Assert.That(served.GetTagItem("fizyr_rpc.request.id"), Is.EqualTo(call.GetTagItem("fizyr_rpc.request.id")));
        Assert.That(served.GetTagItem("fizyr_rpc.transport"), Is.EqualTo("tcp"));
        Assert.That(served.GetTagItem("fizyr_rpc.outcome"), Is.EqualTo("success"));

        var broken = Spans(exported, "DiagnosticsProbe/Break", ActivityKind.Client).Single();
        Assert.That(broken.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(broken.StatusDescription, Is.EqualTo("internal error in service 3"));
        Assert.That(broken.GetTagItem("fizyr_rpc.outcome"), Is.EqualTo("error_response"));
        Assert.That(broken.GetTagItem("error.type"), Is.EqualTo("error_response"));
        var fault = Spans(exported, "DiagnosticsProbe/Break", ActivityKind.Server).Single();
        Assert.That(fault.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(fault.StatusDescription, Is.EqualTo("lens cracked"));
        Assert.That(fault.GetTagItem("fizyr_rpc.outcome"), Is.EqualTo("failed"));
        Assert.That(fault.GetTagItem("error.type"), Is.EqualTo(typeof(InvalidOperationException).FullName));
        await host.StopAndDisposeAsync();
    }

    [Test]
    public async Task AHandlerRunsInsideItsServerSpanSoItsOwnSpansAreChildren()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(RpcDiagnostics.ActivitySourceName).AddInMemoryExporter(exported).Build();
        using var host = await DiagnosticsHost.StartAsync();
        await using (var client = await host.ConnectProbeAsync())
            await Await.ThrowsAsync<RemoteErrorException>(() => client.BreakAsync("lens cracked"));
        await host.WaitForEventAsync("ConnectionClosed");

        var fault = Spans(exported, "DiagnosticsProbe/Break", ActivityKind.Server).Single();
        Assert.That(host.ProbeState().BreakActivity, Is.SameAs(fault), "Activity.Current in the handler is its server span");
        var failed = host.Events("HandlerFailed").Single();
        Assert.That(failed.Category, Is.EqualTo("FizyrRpc.Server"));
        Assert.That(failed.Message, Is.EqualTo("Handler of DiagnosticsProbe/Break failed (service 3, request 0)"));
        await host.StopAndDisposeAsync();
    }
}
