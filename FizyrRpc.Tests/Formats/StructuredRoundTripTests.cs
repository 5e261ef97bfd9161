namespace FizyrRpc.Tests.Formats;

/// <summary>Round trips through the structured formats (MessagePack and JSON): records, classes, primitives, collections, null.</summary>
[TestFixtureSource(nameof(Formats))]
public class StructuredRoundTripTests(IRpcFormat format)
{
    public static IEnumerable<TestFixtureData> Formats()
    {
        yield return new TestFixtureData(MessagePackFormat.Default).SetArgDisplayNames("msgpack");
        yield return new TestFixtureData(new JsonFormat()).SetArgDisplayNames("json");
    }

    private T RoundTrip<T>(T value) => format.Decode<T>(format.Encode(value));

    // As a declared T? decodes: "no body" is a value.
    private T? RoundTripNullable<T>(T? value) => format.Decode<T?>(format.Encode(value), nullable: true);

    [Test]
    public void RecordsRoundTrip()
    {
        Assert.That(RoundTrip(new Point(3, -4)), Is.EqualTo(new Point(3, -4)));
        Assert.That(RoundTrip(new RecordState(12, true, "front")), Is.EqualTo(new RecordState(12, true, "front")));
        Assert.That(RoundTrip(new RecordState(0, false, null)), Is.EqualTo(new RecordState(0, false, null)));
    }

    [Test]
    public void ClassesWithNestedCollectionsRoundTrip()
    {
        var settings = new Settings
        {
            Name = "camera ✓",
            Values = [1, 2, 3],
            Gain = 1.5,
            Markers = new() { ["a"] = new Point(1, 2), ["b"] = new Point(-1, 0) },
        };

        var decoded = RoundTrip(settings);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(decoded, Is.Not.SameAs(settings));
            Assert.That(decoded.Name, Is.EqualTo("camera ✓"));
            Assert.That(decoded.Values, Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(decoded.Gain, Is.EqualTo(1.5));
            Assert.That(decoded.Markers, Is.EquivalentTo(settings.Markers));
        }
    }

    [Test]
    public void PrimitivesRoundTrip()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RoundTrip(0), Is.Zero);
            Assert.That(RoundTrip(int.MinValue), Is.EqualTo(int.MinValue));
            Assert.That(RoundTrip(uint.MaxValue), Is.EqualTo(uint.MaxValue));
            Assert.That(RoundTrip(long.MaxValue), Is.EqualTo(long.MaxValue));
            Assert.That(RoundTrip(-0.25), Is.EqualTo(-0.25));
            Assert.That(RoundTrip(true), Is.True);
            Assert.That(RoundTrip("héllo \"world\"\n"), Is.EqualTo("héllo \"world\"\n"));
            Assert.That(RoundTrip(""), Is.Empty);
            Assert.That(RoundTrip<int?>(7), Is.EqualTo(7));
        }
    }

    [Test]
    public void CollectionsRoundTrip()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RoundTrip(new List<Point> { new(1, 1), new(2, 3) }), Is.EqualTo(new List<Point> { new(1, 1), new(2, 3) }));
            Assert.That(RoundTrip(new[] { 5, 6, 7 }), Is.EqualTo(new[] { 5, 6, 7 }));
            Assert.That(RoundTrip(new List<string>()), Is.Empty);
            Assert.That(RoundTrip(new Dictionary<string, int> { ["x"] = 1, ["y"] = 2 }), Is.EquivalentTo(new Dictionary<string, int> { ["x"] = 1, ["y"] = 2 }));
            Assert.That(RoundTrip(new List<List<int>> { new() { 1 }, new() }), Is.EqualTo(new List<List<int>> { new() { 1 }, new() }));
        }
    }

    [Test]
    public void NullRoundTripsAsNull()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RoundTripNullable<string?>(null), Is.Null);
            Assert.That(RoundTripNullable<Point?>(null), Is.Null);
            Assert.That(RoundTrip<int?>(null), Is.Null);
            Assert.That(RoundTripNullable<List<int>?>(null), Is.Null);
        }
    }

    [Test]
    public void NullEncodesAsTheFormatsNoBody()
    {
        Assert.That(format.Encode<Point?>(null).ToArray(), Is.EqualTo(format.NoBody.ToArray()));
    }

    [Test]
    public void EveryEncodeGivesAFreshBody()
    {
        // A body is handed to the peer, which owns it: two encodes must not share a buffer.
        var first = format.Encode(new Point(1, 2));
        var second = format.Encode(new Point(1, 2));
        Assert.That(first.Span.Overlaps(second.Span), Is.False);
        Assert.That(first.ToArray(), Is.EqualTo(second.ToArray()));
    }
}
