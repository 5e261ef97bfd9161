using FizyrRpc.Tests.Generator.Camera;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Generator;

/// <summary>A generated client talks to a generated server over real TCP.</summary>
public sealed class CameraEndToEndTests
{
    private static readonly TimeSpan Timeout = Loopback.Timeout;

    [Test]
    public async Task ClientCallsServer_PingRecordErrorsAndStreams()
    {
        await using var pair = await Loopback.TcpPairAsync();
        var server = new CameraServer();
        var serving = server.ServeAsync(pair.Server);
        var client = new ICamera.Client(pair.Client);
        await using (client)
        {
            // A call without body or value.
            await client.PingAsync().WaitAsync(Timeout);

            // A plain call to a service with updates: the updates are skipped, the response decoded.
            var plain = await client.RecordAsync(new RecordRequest("plain", 2)).WaitAsync(Timeout);
            Assert.That(plain, Is.EqualTo(new RecordResult(2, false, null)));

            // The server sent a stream message before that response: the client reads it typed.
            await using (var streams = client.ReadStreamsAsync().GetAsyncEnumerator())
            {
                Assert.That(await streams.MoveNextAsync().AsTask().WaitAsync(Timeout), Is.True);
                Assert.That(streams.Current, Is.EqualTo(new ICamera.StreamMessage.RecordStateChanged(new RecordState("done", 100))));
            }

            // A call object: response updates to the client, a request update to the server, then the response.
            await using (var call = await client.StartRecordAsync(new RecordRequest("until cancelled", 0)).AsTask().WaitAsync(Timeout))
            {
                var state = await call.ReceiveUpdateAsync().AsTask().WaitAsync(Timeout);
                Assert.That(state, Is.EqualTo(new ICamera.RecordResponseUpdate.State(new RecordState("recording", 0))));
                var image = await call.ReceiveUpdateAsync().AsTask().WaitAsync(Timeout);
                Assert.That(image, Is.TypeOf<ICamera.RecordResponseUpdate.Image>());
                Assert.That(((ICamera.RecordResponseUpdate.Image)image!).Value.Pixels, Is.EqualTo(new byte[] { 1, 2, 3 }));

                await call.SendCancelAsync(new CancelReason("cell stopped")).AsTask().WaitAsync(Timeout);
                var result = await call.ReceiveResponseAsync().AsTask().WaitAsync(Timeout);
                Assert.That(result, Is.EqualTo(new RecordResult(1, true, "cell stopped")));
            }

            // A value, and a handler's exception as a remote error.
            Assert.That(await client.GetSettingAsync("exposure").AsTask().WaitAsync(Timeout), Is.EqualTo("10ms"));
            var error = await Assert.ThrowsAsync<RemoteErrorException>(() => client.GetSettingAsync("missing").AsTask().WaitAsync(Timeout));
            Assert.That(error!.Message, Does.Contain("no setting 'missing'"));

            // A stream message from the client to the server's typed handler.
            await client.TriggerAsync(new TriggerEvent(3, 42)).AsTask().WaitAsync(Timeout);
            Assert.That(await server.Trigger.Task.WaitAsync(Timeout), Is.EqualTo(new TriggerEvent(3, 42)));
        }

        await serving.WaitAsync(Timeout);
    }

    [Test]
    public async Task UndeclaredIds_AreAnsweredOrHandedOverAsUnknown()
    {
        await using var pair = await Loopback.TcpPairAsync();
        var server = new CameraServer();
        var serving = server.ServeAsync(pair.Server);
        var client = new ICamera.Client(pair.Client);
        await using (client)
        {
            // An undeclared service: an error response naming it.
            using (var request = await client.WriteHandle.SendRequestAsync(77, new byte[] { 0xc0 }).AsTask().WaitAsync(Timeout))
            {
                var response = await request.ReceiveResponseAsync().AsTask().WaitAsync(Timeout);
                Assert.That(response.IsErrorResponse, Is.True);
                Assert.That(response.GetErrorMessage(), Is.EqualTo("unknown service 77"));
            }

            // An undeclared stream: the server's unknown-stream handler sees it.
            await client.WriteHandle.SendStreamAsync(99, new byte[] { 1 }).AsTask().WaitAsync(Timeout);
            Assert.That(await server.UnknownStream.Task.WaitAsync(Timeout), Is.EqualTo(99));

            // A body the server cannot decode: an error response, the connection stays.
            using (var request = await client.WriteHandle.SendRequestAsync(1, new byte[] { 0xc1 }).AsTask().WaitAsync(Timeout))
            {
                var response = await request.ReceiveResponseAsync().AsTask().WaitAsync(Timeout);
                Assert.That(response.GetErrorMessage(), Does.StartWith("invalid body for service 1"));
            }

            await client.PingAsync().WaitAsync(Timeout);
        }

        await serving.WaitAsync(Timeout);
    }

    [Test]
    public void Info_DescribesTheInterface()
    {
        var info = ICamera.Info;
        Assert.That(info.Name, Is.EqualTo("Camera"));
        Assert.That(info.Documentation, Is.EqualTo("Interface to a camera server."));
        var record = info.FindService(1)!;
        Assert.That(record.Name, Is.EqualTo("Record"));
        Assert.That(record.RequestType, Is.EqualTo(typeof(RecordRequest)));
        Assert.That(record.ResponseType, Is.EqualTo(typeof(RecordResult)));
        Assert.That(record.RequestUpdates, Is.EqualTo(new[] { new RpcUpdateInfo(10, "Cancel", typeof(CancelReason)) }));
        Assert.That(record.ResponseUpdates, Is.EqualTo(new[]
        {
            new RpcUpdateInfo(11, "State", typeof(RecordState)),
            new RpcUpdateInfo(12, "Image", typeof(Image)),
        }));
        Assert.That(info.FindService(0)!.RequestType, Is.Null);
        Assert.That(info.FindStream(11)!.BodyType, Is.EqualTo(typeof(RecordState)));
        Assert.That(info.FindStream(12)!.Documentation, Is.EqualTo("A hardware trigger fired."));
    }
}
