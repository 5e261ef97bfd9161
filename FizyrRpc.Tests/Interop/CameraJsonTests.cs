using System.Text;
using FizyrRpc.Tests.Generator.Camera;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Interop;

/// <summary>
/// The camera's MessagePack-attributed records under <see cref="JsonFormat"/>: System.Text.Json ignores the MessagePack
/// keys and writes snake_case names, so they speak serde_json too, with the byte[] field as serde writes a Vec&lt;u8&gt;.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class CameraJsonTests(LoopbackKind kind)
{
    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public async Task ClientWritesSnakeCaseAndReadsTheResponse()
    {
        await using var raw = await RawServer<ICamera.Client>.StartAsync(kind, peer => new ICamera.Client(peer, new JsonFormat()));
        var record = raw.Client.RecordAsync(new RecordRequest("scene", 2));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.Request(0, 1, Json("""{"scene":"scene","frames":2}"""))));
        await raw.Raw.SendAsync(HandWire.Response(0, 1, Json("""{"frame_count":2,"cancelled":false,"cancel_text":null}""")));
        Assert.That(await record.Within(), Is.EqualTo(new RecordResult(2, false, null)));
    }

    [Test]
    public async Task ClientReadsASerdeImageUpdate()
    {
        // serde_json writes a Vec<u8> as an array of numbers.
        await using var raw = await RawServer<ICamera.Client>.StartAsync(kind, peer => new ICamera.Client(peer, new JsonFormat()));
        await using var call = await raw.Client.StartRecordAsync(new RecordRequest("scene", 1)).Within();
        await raw.NextFrameAsync();
        await raw.Raw.SendAsync(HandWire.ResponderUpdate(0, 12, Json("""{"index":0,"pixels":[1,2,3]}""")));

        var update = await call.ReceiveUpdateAsync().Within();
        Assert.That(update, Is.TypeOf<ICamera.RecordResponseUpdate.Image>());
        Assert.That(((ICamera.RecordResponseUpdate.Image)update!).Value.Pixels, Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public async Task ServerWritesAnImageUpdateAsSerdeWould()
    {
        var server = new InteropCameraServer(new JsonFormat());
        await using var raw = await RawClient.StartAsync(kind, peer => server.ServeAsync(peer));
        await raw.SendAsync(HandWire.Request(2, 1, Json("""{"scene":"scene","frames":1}""")));
        Assert.That(await raw.NextFrameAsync(), Is.EqualTo(HandWire.ResponderUpdate(2, 11, Json("""{"phase":"recording","progress":0}"""))));
        Assert.That(
            Encoding.UTF8.GetString(HandWire.BodyOf(await raw.NextFrameAsync())),
            Is.EqualTo("""{"index":0,"pixels":[240]}"""));
    }
}
