using System.Text;
using FizyrRpc.Tests.Generator.Camera;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Generator;

/// <summary>
/// The generated lower-level receive (<c>ICamera.ReceiveAsync</c>): a raw client sends requests and streams, declared,
/// unknown and undecodable, over real TCP; the user gets each as its own typed case and answers it through the case.
/// </summary>
public sealed class CameraIncomingTests
{
    private static readonly TimeSpan Timeout = Loopback.Timeout;
    private static readonly IRpcFormat Format = MessagePackFormat.Default;
    private static readonly byte[] Garbage = [0xc1]; // never used by MessagePack

    [Test]
    public async Task DeclaredRequests_ComeDecodedAndAreAnsweredThroughTheCase()
    {
        await using var raw = await Loopback.RawTcpAsync();
        var (read, write) = raw.Peer.Split();
        await using (read)
        await using (write)
        {
            // Ping: no body, an empty answer with the request's service ID.
            await raw.SendFrameAsync(MessageHeader.Request(5, 0));
            await using (var incoming = await ICamera.ReceiveAsync(read, write).AsTask().WaitAsync(Timeout))
            {
                var ping = AssertCase<ICamera.Incoming<StreamBody>.PingRequest>(incoming);
                Assert.That(ping.Request.RequestId, Is.EqualTo(5u));
                await ping.RespondAsync().AsTask().WaitAsync(Timeout);
            }

            await AssertReceivedAsync(raw, MessageHeader.Response(5, 0), Format.NoBody.ToArray());

            // Record: the decoded value, a response update, a request update read typed, the typed response.
            await raw.SendFrameAsync(MessageHeader.Request(6, 1), Format.Encode(new RecordRequest("scene", 3)).Span);
            await using (var incoming = await ICamera.ReceiveAsync(read, write).AsTask().WaitAsync(Timeout))
            {
                var record = AssertCase<ICamera.Incoming<StreamBody>.RecordRequest>(incoming);
                Assert.That(record.Value, Is.EqualTo(new RecordRequest("scene", 3)));
                Assert.That(record.Context.Raw.ServiceId, Is.EqualTo(1));

                await record.SendStateAsync(new RecordState("exposing", 10)).AsTask().WaitAsync(Timeout);
                await AssertReceivedAsync(raw, MessageHeader.ResponderUpdate(6, 11), Format.Encode(new RecordState("exposing", 10)).ToArray());

                await raw.SendFrameAsync(MessageHeader.RequesterUpdate(6, 10), Format.Encode(new CancelReason("stop")).Span);
                await using (var updates = record.ReadUpdatesAsync().GetAsyncEnumerator())
                {
                    Assert.That(await updates.MoveNextAsync().AsTask().WaitAsync(Timeout), Is.True);
                    Assert.That(updates.Current, Is.EqualTo(new ICamera.RecordRequestUpdate.Cancel(new CancelReason("stop"))));
                }

                // A stream message through the typed context.
                await record.Context.SendRecordStateChangedAsync(new RecordState("cancelled", 10)).AsTask().WaitAsync(Timeout);
                await AssertReceivedAsync(raw, MessageHeader.Stream(11), Format.Encode(new RecordState("cancelled", 10)).ToArray());

                await record.RespondAsync(new RecordResult(1, true, "stop")).AsTask().WaitAsync(Timeout);
                Assert.That(record.Request.IsClosed, Is.True);
            }

            await AssertReceivedAsync(raw, MessageHeader.Response(6, 1), Format.Encode(new RecordResult(1, true, "stop")).ToArray());

            // A declared request disposed unanswered: the peer's "dropped" error response, nothing else.
            await raw.SendFrameAsync(MessageHeader.Request(7, 2), Format.Encode("exposure").Span);
            await using (var incoming = await ICamera.ReceiveAsync(read, write).AsTask().WaitAsync(Timeout))
                Assert.That(AssertCase<ICamera.Incoming<StreamBody>.GetSettingRequest>(incoming).Value, Is.EqualTo("exposure"));
            await AssertReceivedAsync(raw, MessageHeader.ErrorResponse(7), Encoding.UTF8.GetBytes(ReceivedRequest<StreamBody>.DroppedErrorText));
        }
    }

    [Test]
    public async Task StreamsUnknownAndInvalidMessages_ComeAsTheirOwnCases()
    {
        await using var raw = await Loopback.RawTcpAsync();
        var (read, write) = raw.Peer.Split();
        await using (read)
        await using (write)
        {
            // Declared streams, decoded.
            await raw.SendFrameAsync(MessageHeader.Stream(11), Format.Encode(new RecordState("done", 100)).Span);
            await raw.SendFrameAsync(MessageHeader.Stream(12), Format.Encode(new TriggerEvent(3, 42)).Span);
            await using (var incoming = await ICamera.ReceiveAsync(read, write).AsTask().WaitAsync(Timeout))
                Assert.That(AssertCase<ICamera.Incoming<StreamBody>.RecordStateChangedStream>(incoming).Value, Is.EqualTo(new RecordState("done", 100)));
            await using (var incoming = await ICamera.ReceiveAsync(read, write).AsTask().WaitAsync(Timeout))
                Assert.That(AssertCase<ICamera.Incoming<StreamBody>.TriggerStream>(incoming).Value, Is.EqualTo(new TriggerEvent(3, 42)));

            // An unknown service: handed over with its body, answered by the user (here with a value, not an error).
            await raw.SendFrameAsync(MessageHeader.Request(1, 77), [1, 2, 3]);
            await using (var incoming = await ICamera.ReceiveAsync(read, write).AsTask().WaitAsync(Timeout))
            {
                var unknown = AssertCase<ICamera.Incoming<StreamBody>.UnknownRequest>(incoming);
                Assert.That(unknown.Request.ServiceId, Is.EqualTo(77));
                Assert.That(unknown.Request.Body.Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
                await unknown.Request.SendResponseAsync(unknown.Request.ServiceId, new byte[] { 9 }).AsTask().WaitAsync(Timeout);
            }

            await AssertReceivedAsync(raw, MessageHeader.Response(1, 77), [9]);

            // A declared service with a body that does not decode: the error, and the request to answer.
            await raw.SendFrameAsync(MessageHeader.Request(2, 1), Garbage);
            await using (var incoming = await ICamera.ReceiveAsync(read, write).AsTask().WaitAsync(Timeout))
            {
                var invalid = AssertCase<ICamera.Incoming<StreamBody>.InvalidRequest>(incoming);
                Assert.That(invalid.Request.ServiceId, Is.EqualTo(1));
                Assert.That(invalid.Request.Body.Data.ToArray(), Is.EqualTo(Garbage));
                Assert.That(invalid.Error, Is.InstanceOf<RpcFormatException>());
                await invalid.Request.SendErrorResponseAsync("bad record").AsTask().WaitAsync(Timeout);
            }

            await AssertReceivedAsync(raw, MessageHeader.ErrorResponse(2), Encoding.UTF8.GetBytes("bad record"));

            // An unknown stream, and a declared stream that does not decode: raw, with the error.
            await raw.SendFrameAsync(MessageHeader.Stream(99), [4, 5]);
            await raw.SendFrameAsync(MessageHeader.Stream(12), Garbage);
            await using (var incoming = await ICamera.ReceiveAsync(read, write).AsTask().WaitAsync(Timeout))
            {
                var unknown = AssertCase<ICamera.Incoming<StreamBody>.UnknownStream>(incoming);
                Assert.That(unknown.Message.ServiceId, Is.EqualTo(99));
                Assert.That(unknown.Message.Body.Data.ToArray(), Is.EqualTo(new byte[] { 4, 5 }));
            }

            await using (var incoming = await ICamera.ReceiveAsync(read, write).AsTask().WaitAsync(Timeout))
            {
                var invalid = AssertCase<ICamera.Incoming<StreamBody>.InvalidStream>(incoming);
                Assert.That(invalid.Message.ServiceId, Is.EqualTo(12));
                Assert.That(invalid.Message.Body.Data.ToArray(), Is.EqualTo(Garbage));
                Assert.That(invalid.Error, Is.InstanceOf<RpcFormatException>());
            }
        }
    }

    [Test]
    public async Task UserLoop_SwitchesOnEveryCase()
    {
        await using var raw = await Loopback.RawTcpAsync();
        var (read, write) = raw.Peer.Split();
        await using (read)
        await using (write)
        {
            // What a user writes: one loop, one switch, every case answered or dropped on purpose.
            var seen = new List<string>();
            async Task ServeAsync(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    await using var incoming = await ICamera.ReceiveAsync(read, write);
                    switch (incoming)
                    {
                        case ICamera.Incoming<StreamBody>.PingRequest ping:
                            seen.Add("ping");
                            await ping.RespondAsync();
                            break;
                        case ICamera.Incoming<StreamBody>.RecordRequest record:
                            seen.Add($"record {record.Value.Scene}");
                            await record.RespondAsync(new RecordResult(record.Value.Frames, false, null));
                            break;
                        case ICamera.Incoming<StreamBody>.GetSettingRequest setting:
                            seen.Add($"setting {setting.Value}");
                            await setting.RespondAsync("10ms");
                            break;
                        case ICamera.Incoming<StreamBody>.RecordStateChangedStream state:
                            seen.Add($"state {state.Value.Phase}");
                            break;
                        case ICamera.Incoming<StreamBody>.TriggerStream trigger:
                            seen.Add($"trigger {trigger.Value.Line}");
                            break;
                        case ICamera.Incoming<StreamBody>.UnknownRequest unknown:
                            seen.Add($"unknown request {unknown.Request.ServiceId}");
                            await unknown.Request.SendErrorResponseAsync($"no service {unknown.Request.ServiceId}");
                            break;
                        case ICamera.Incoming<StreamBody>.InvalidRequest invalid:
                            seen.Add($"invalid request {invalid.Request.ServiceId}");
                            await invalid.Request.SendErrorResponseAsync("invalid");
                            break;
                        case ICamera.Incoming<StreamBody>.UnknownStream unknown:
                            seen.Add($"unknown stream {unknown.Message.ServiceId}");
                            break;
                        case ICamera.Incoming<StreamBody>.InvalidStream invalid:
                            seen.Add($"invalid stream {invalid.Message.ServiceId}");
                            break;
                    }
                }
            }

            var serving = ServeAsync(7);
            await raw.SendFrameAsync(MessageHeader.Request(1, 1), Format.Encode(new RecordRequest("a", 2)).Span);
            await raw.SendFrameAsync(MessageHeader.Request(2, 0));
            await raw.SendFrameAsync(MessageHeader.Stream(12), Format.Encode(new TriggerEvent(4, 1)).Span);
            await raw.SendFrameAsync(MessageHeader.Request(3, 50), [0]);
            await raw.SendFrameAsync(MessageHeader.Request(4, 2), Garbage);
            await raw.SendFrameAsync(MessageHeader.Stream(98), [0]);
            await raw.SendFrameAsync(MessageHeader.Request(5, 2), Format.Encode("gain").Span);
            await serving.WaitAsync(Timeout);

            Assert.That(seen, Is.EqualTo(new[]
            {
                "record a", "ping", "trigger 4", "unknown request 50", "invalid request 2", "unknown stream 98", "setting gain",
            }));
            await AssertReceivedAsync(raw, MessageHeader.Response(1, 1), Format.Encode(new RecordResult(2, false, null)).ToArray());
            await AssertReceivedAsync(raw, MessageHeader.Response(2, 0), Format.NoBody.ToArray());
            await AssertReceivedAsync(raw, MessageHeader.ErrorResponse(3), Encoding.UTF8.GetBytes("no service 50"));
            await AssertReceivedAsync(raw, MessageHeader.ErrorResponse(4), Encoding.UTF8.GetBytes("invalid"));
            await AssertReceivedAsync(raw, MessageHeader.Response(5, 2), Format.Encode("10ms").ToArray());
        }
    }

    private static T AssertCase<T>(ICamera.Incoming<StreamBody> incoming)
        where T : ICamera.Incoming<StreamBody>
    {
        Assert.That(incoming, Is.TypeOf<T>());
        return (T)incoming;
    }

    private static async Task AssertReceivedAsync(RawPeer raw, MessageHeader header, byte[] body)
    {
        var (receivedHeader, receivedBody) = await raw.ReceiveMessageAsync();
        Assert.That(receivedHeader, Is.EqualTo(header));
        Assert.That(receivedBody, Is.EqualTo(body));
    }
}
