using FizyrRpc.Tests.TestSupport;
using MessagePack;

namespace FizyrRpc.Tests.Typed.Plain;

/// <summary>
/// The generated MessagePack formatters: plain types with no serializer attributes round-trip, types with their own
/// contract keep MessagePack-CSharp's layout byte for byte, and decoding is strict.
/// </summary>
public sealed class PlainTypesTests
{
    private static readonly TimeSpan Timeout = Loopback.Timeout;
    private static readonly MessagePackFormat Format = IPlainShop.DefaultFormat;

    [Test]
    public async Task PlainTypes_TravelOverTcp_CallsUpdatesBothWaysAndStreams()
    {
        await using var pair = await Loopback.TcpPairAsync();
        var server = new PlainShopServer();
        var serving = server.ServeAsync(pair.Server);
        var client = new IPlainShop.Client(pair.Client);
        await using (client)
        {
            Assert.That(client.Format, Is.SameAs(IPlainShop.DefaultFormat));
            var order = Shop.Order();
            await using (var call = await client.StartOrderAsync(order).AsTask().WaitAsync(Timeout))
            {
                var progress = await call.ReceiveUpdateAsync().AsTask().WaitAsync(Timeout);
                Assert.That(progress, Is.EqualTo(new IPlainShop.OrderResponseUpdate.Progress(Shop.Progress)));
                await call.SendNoteAsync(new Note("leave at the door")).AsTask().WaitAsync(Timeout);
                AssertReceipt(await call.ReceiveResponseAsync().AsTask().WaitAsync(Timeout), Shop.ReceiptFor(order));
            }

            Assert.That(await server.Noted.Task.WaitAsync(Timeout), Is.EqualTo(new Note("leave at the door")));
            await using (var streams = client.ReadStreamsAsync().GetAsyncEnumerator())
            {
                Assert.That(await streams.MoveNextAsync().AsTask().WaitAsync(Timeout), Is.True);
                AssertReceipt(((IPlainShop.StreamMessage.Shipped)streams.Current).Value, Shop.ReceiptFor(order));
            }

            Assert.That(await client.EchoContractAsync(new Contract(7, "seven")).WaitAsync(Timeout), Is.EqualTo(new Contract(7, "seven")));
            Assert.That(await client.EchoNamedAsync(new NamedContract(8, null)).WaitAsync(Timeout), Is.EqualTo(new NamedContract(8, null)));
            Assert.That((await client.EchoBytesAsync([1, 2, 3]).WaitAsync(Timeout)).ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(await client.EchoNumberAsync(5).WaitAsync(Timeout), Is.EqualTo(5));
            Assert.That(await client.EchoNumberAsync(null).WaitAsync(Timeout), Is.Null);
        }

        await serving.WaitAsync(Timeout);
    }

    [Test]
    public void APositionalRecord_IsAnArrayOfItsMembersInOrder()
    {
        // As rmp_serde::to_vec writes struct Note { text: String }: a one-element array.
        Assert.That(Format.Encode(new Note("hi")).ToArray(), Is.EqualTo(new byte[] { 0x91, 0xa2, (byte)'h', (byte)'i' }));
        // Nested struct, decimal as MessagePack-CSharp writes it (a string), enum as its number.
        var line = new Order.Line("x", 2, 1.5m);
        Assert.That(Format.Encode(line).ToArray(), Is.EqualTo(new byte[] { 0x93, 0xa1, (byte)'x', 0x02, 0xa3, (byte)'1', (byte)'.', (byte)'5' }));
        Assert.That(Format.Encode(Payment.Invoice).ToArray(), Is.EqualTo(new byte[] { 0xcc, 200 }));
    }

    [Test]
    public void APlainRecord_AlsoReadsAMapByMemberName_AsRmpSerdeToVecNamedWritesIt()
    {
        // {"done": 2, "fraction": 0.25, "at": timestamp, "id": "...", "took": ticks, "unknown": true}
        var reference = Format.Encode(Shop.Progress with { Done = 2 }).ToArray();
        var reader = new MessagePackReader(reference);
        reader.ReadArrayHeader();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(6);
        foreach (var name in new[] { "done", "fraction", "at", "id", "took" })
        {
            writer.Write(name);
            writer.WriteRaw(reader.ReadRaw());
        }

        writer.Write("unknown");
        writer.Write(true);
        writer.Flush();
        Assert.That(Format.Decode<Progress>(buffer.WrittenMemory), Is.EqualTo(Shop.Progress with { Done = 2 }));
    }

    [Test]
    public void EveryPlainShape_RoundTrips()
    {
        var order = Shop.Order();
        var decoded = Format.Decode<Order>(Format.Encode(order));
        Assert.That(decoded.Customer, Is.EqualTo(order.Customer));
        Assert.That(decoded.Lines, Is.EqualTo(order.Lines));
        Assert.That(decoded.Tags, Is.EqualTo(order.Tags));
        Assert.That(decoded.Counts, Is.EqualTo(order.Counts));
        Assert.That(decoded.Payment, Is.EqualTo(Payment.Invoice));
        Assert.That(decoded.Priority, Is.EqualTo(2));
        Assert.That(decoded.Comment, Is.Null);
        Assert.That(decoded.Extra, Is.EqualTo(order.Extra));
        Assert.That(Format.Decode<Progress>(Format.Encode(Shop.Progress)), Is.EqualTo(Shop.Progress));
        AssertReceipt(Format.Decode<Receipt>(Format.Encode(Shop.ReceiptFor(order))), Shop.ReceiptFor(order));
    }

    [Test]
    public void TypesWithTheirOwnContract_KeepMessagePackCSharpsLayout()
    {
#pragma warning disable IL2026, IL3050 // the standard resolver is the reference here, under the JIT
        var standard = MessagePackFormat.Default;
#pragma warning restore IL2026, IL3050
        var contract = new Contract(7, "seven");
        Assert.That(Format.Encode(contract).ToArray(), Is.EqualTo(standard.Encode(contract).ToArray()));
        Assert.That(Format.Encode(contract).ToArray(), Is.EqualTo(new byte[] { 0x93, 0x07, 0xc0, 0xa5, (byte)'s', (byte)'e', (byte)'v', (byte)'e', (byte)'n' }));
        var named = new NamedContract(8, "eight");
        Assert.That(Format.Encode(named).ToArray(), Is.EqualTo(standard.Encode(named).ToArray()));
        Assert.That(Format.Decode<NamedContract>(standard.Encode(named)), Is.EqualTo(named));
    }

    public static IEnumerable<TestCaseData> InvalidBodies()
    {
        yield return new TestCaseData(new byte[] { 0x91, 0xc0 }, "Plain.Note.Text is nil").SetName("nil for a non-nullable member");
        yield return new TestCaseData(new byte[] { 0x90 }, "Note.Text is missing").SetName("a missing member");
        yield return new TestCaseData(new byte[] { 0x80 }, "Note.Text is missing").SetName("a missing member of a map");
        yield return new TestCaseData(new byte[] { 0x91, 0x2a }, "").SetName("a wrong type");
        yield return new TestCaseData(new byte[] { 0x92, 0xa1 }, "").SetName("a truncated body");
    }

    [TestCaseSource(nameof(InvalidBodies))]
    public void AnInvalidBody_IsAnRpcFormatException(byte[] body, string message)
    {
        var error = Assert.Throws<RpcFormatException>(() => Format.Decode<Note>(body))!;
        Assert.That(error.BodyType, Is.EqualTo(typeof(Note)));
        Assert.That(error.InnerException, Is.InstanceOf<MessagePackSerializationException>());
        Assert.That(error.InnerException!.Message, Does.Contain(message));
    }

    [Test]
    public void NullableMembers_AcceptNilAndAbsence_OthersDoNot()
    {
        // NamedContract: "id" is required, "display_name" is string?.
        Assert.That(Format.Decode<NamedContract>(new byte[] { 0x81, 0xa2, (byte)'i', (byte)'d', 0x05 }), Is.EqualTo(new NamedContract(5, null)));
        Assert.Throws<RpcFormatException>(() => Format.Decode<NamedContract>(new byte[] { 0x81, 0xa2, (byte)'i', (byte)'d', 0xc0 }));
        // A List<string?> element may be nil; a List<string> element may not (Order.Tags).
        var order = Format.Encode(Shop.Order() with { Tags = ["x"] }).ToArray();
        var tag = Array.IndexOf(order, (byte)'x');
        order[tag - 1] = 0xc0;
        var withNilTag = order.Take(tag).Concat(order.Skip(tag + 1)).ToArray();
        var error = Assert.Throws<RpcFormatException>(() => Format.Decode<Order>(withNilTag))!;
        Assert.That(error.InnerException!.Message, Does.Contain("an element of System.Collections.Generic.List<string> is nil"));
    }

    [Test]
    public void TheGeneratedResolver_KnowsTheBodyTypesOnly()
    {
        Assert.That(IPlainShop.MessagePackResolver.Instance.GetFormatter<Order>(), Is.Not.Null);
        Assert.That(IPlainShop.MessagePackResolver.Instance.GetFormatter<int?>(), Is.Not.Null);
        Assert.That(IPlainShop.MessagePackResolver.Instance.GetFormatter<Uri>(), Is.Null);
        Assert.Throws<RpcFormatException>(() => Format.Encode(new Uri("http://localhost")));
    }

    private static void AssertReceipt(Receipt actual, Receipt expected)
    {
        Assert.That(actual.Customer, Is.EqualTo(expected.Customer));
        Assert.That(actual.Total, Is.EqualTo(expected.Total));
        Assert.That(actual.Signature, Is.EqualTo(expected.Signature));
        Assert.That(actual.Barcode.ToArray(), Is.EqualTo(expected.Barcode.ToArray()));
        Assert.That(actual.ByPayment, Is.EqualTo(expected.ByPayment));
        Assert.That(actual.Previous?.Customer, Is.EqualTo(expected.Previous?.Customer));
        Assert.That(actual.Previous?.Previous, Is.Null);
        Assert.That(actual.Grid, Is.EqualTo(expected.Grid));
    }
}
