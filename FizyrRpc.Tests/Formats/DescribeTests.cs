namespace FizyrRpc.Tests.Formats;

/// <summary>Readable body type names for introspection, as the structured formats describe them.</summary>
[TestFixtureSource(nameof(Formats))]
public class DescribeTests(IRpcFormat format)
{
    public static IEnumerable<TestFixtureData> Formats()
    {
        yield return new TestFixtureData(MessagePackFormat.Default).SetArgDisplayNames("msgpack");
        yield return new TestFixtureData(new JsonFormat()).SetArgDisplayNames("json");
    }

    [Test]
    public void PlainTypesAreNamedWithoutNamespace()
    {
        Assert.That(format.Describe(typeof(Point)), Is.EqualTo("Point"));
        Assert.That(format.Describe(typeof(RecordState)), Is.EqualTo("RecordState"));
    }

    [Test]
    public void GenericTypesAreNamedWithTheirArguments()
    {
        Assert.That(format.Describe(typeof(List<Point>)), Is.EqualTo("List<Point>"));
        Assert.That(format.Describe(typeof(Dictionary<Point, List<Point>>)), Is.EqualTo("Dictionary<Point, List<Point>>"));
    }

    [Test]
    public void NullableValueTypesAreNamedWithAQuestionMark()
    {
        Assert.That(format.Describe(typeof(DateTime?)), Is.EqualTo("DateTime?"));
    }

    [Test]
    public void ArraysAreNamedWithBrackets()
    {
        Assert.That(format.Describe(typeof(Point[])), Is.EqualTo("Point[]"));
    }

    // The C# keyword names the FormatNames doc promises ("int?"), as a C# user writes the types.
    [TestCase(typeof(int?), "int?")]
    [TestCase(typeof(byte[]), "byte[]")]
    [TestCase(typeof(string), "string")]
    [TestCase(typeof(List<int>), "List<int>")]
    [TestCase(typeof(Dictionary<string, double>), "Dictionary<string, double>")]
    public void BuiltInTypesUseTheirCSharpKeywords(Type type, string expected)
    {
        Assert.That(format.Describe(type), Is.EqualTo(expected));
    }
}
