using System.Text;
using FizyrRpc.Tests.Interop;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Tests.Typed.Strict;

namespace FizyrRpc.Tests.Typed;

/// <summary>
/// Errors on purpose and by accident, on a generated server over real sockets: <see cref="RpcErrorResponseException"/>
/// sends its text as it is and is no fault; any other exception is a fault that <c>OnHandlerError</c> sees, answered
/// with a generic text unless detailed errors are on.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class TypedErrorTests(LoopbackKind kind)
{
    private static byte[] Pack(string text) => MessagePackFormat.Default.Encode(text).ToArray();

    [Test]
    public async Task AnErrorOnPurposeIsSentAsItIsAndIsNoFault()
    {
        var server = new StrictServer();
        await using (var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer)))
        {
            await raw.SendAsync(HandWire.Request(4, 3, Pack("offline")));
            Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(HandWire.ErrorResponse(4, "camera offline")));
        }

        Assert.That(server.Calls, Is.EqualTo(new[] { "Name(offline)" }));
        Assert.That(server.HandlerErrors, Is.Empty);
    }

    [Test]
    public async Task AnUnexpectedExceptionIsAGenericErrorAndAFault()
    {
        var server = new StrictServer();
        await using (var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer)))
        {
            await raw.SendAsync(HandWire.Request(5, 3, Pack("bug")));
            Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(HandWire.ErrorResponse(5, "internal error in service 3")));
        }

        Assert.That(server.HandlerErrors.Single(), Is.TypeOf<NullReferenceException>());
    }

    [Test]
    public async Task WithDetailedErrorsTheExceptionsMessageIsSent()
    {
        var server = new StrictServer { EnableDetailedErrors = true };
        await using (var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer)))
        {
            await raw.SendAsync(HandWire.Request(6, 3, Pack("bug")));
            Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(HandWire.ErrorResponse(6, "secret internals")));
            await raw.SendAsync(HandWire.Request(7, 3, Pack("offline")));
            Assert.That(await raw.NextFrameAsync().Within(), Is.EqualTo(HandWire.ErrorResponse(7, "camera offline")));
        }

        Assert.That(server.HandlerErrors.Single().Message, Is.EqualTo("secret internals"));
    }

    [Test]
    public async Task AGeneratedClientGetsEachAsARemoteError()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var server = new StrictServer();
        var serve = server.ServeAsync(pair.Server);
        await using (var client = new IStrict.Client(pair.Client))
        {
            var offline = await TestWaits.ThrowsAsync<RemoteErrorException>(() => client.NameAsync("offline"));
            var bug = await TestWaits.ThrowsAsync<RemoteErrorException>(() => client.NameAsync("bug"));
            Assert.That((offline.Message, bug.Message), Is.EqualTo(("camera offline", "internal error in service 3")));
            Assert.That(await client.NameAsync("fine").Within(), Is.EqualTo("fine"));
        }

        await serve.Within();
        Assert.That(server.HandlerErrors.Select(error => error.GetType()), Is.EqualTo(new[] { typeof(NullReferenceException) }));
    }
}
