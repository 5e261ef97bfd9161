namespace FizyrRpc.Tests.Typed;

/// <summary>The introspection description: listings of visible members with format-described body types, lookups by ID.</summary>
public class InterfaceInfoTests
{
    private static string Lines(params string[] lines) => string.Concat(lines.Select(line => line + Environment.NewLine));

    [Test]
    public void DescribeListsVisibleServicesUpdatesAndStreamsAsTheFormatDescribesThem()
    {
        Assert.That(TestInterface.Info.Describe(new AngleFormat()), Is.EqualTo(Lines(
            "service Test (angle)",
            "  0 Ping(()) -> ()",
            "  1 Add(<AddRequest>) -> <Int32>",
            "  2 Echo(<String>) -> <String>",
            "  5 Count(<Int32>) -> <CountResult>",
            "    request update 10 Adjust: <Int32>",
            "    response update 11 Progress: <Int32>",
            "    response update 12 Note: <String>",
            "  7 Publish(<Int32>) -> ()",
            "  stream 20 Tick: <Int32>",
            "  stream 21 Log: <String>")));
    }

    [Test]
    public void HiddenServicesAndStreamsAreLeftOut()
    {
        var text = TestInterface.Info.Describe(MessagePackFormat.Default);
        Assert.That(text, Does.Not.Contain("Secret"));
        Assert.That(text, Does.Not.Contain("Debug"));
        Assert.That(text, Does.Not.Contain(" 8 "));
        Assert.That(text, Does.Not.Contain("stream 22"));
    }

    [Test]
    public void TheRawFormatDescribesEveryBodyAsBytes()
    {
        var text = TestInterface.Info.Describe(RawFormat.Default);
        Assert.That(text, Does.StartWith("service Test (raw)" + Environment.NewLine));
        Assert.That(text, Does.Contain("  1 Add(bytes) -> bytes" + Environment.NewLine));
        Assert.That(text, Does.Contain("  0 Ping(()) -> ()" + Environment.NewLine), "no body stays ()");
    }

    [Test]
    public void TheStructuredFormatsNameTheirTypes()
    {
        Assert.That(TestInterface.Info.Describe(new JsonFormat()), Does.StartWith("service Test (json)"));
        var text = TestInterface.Info.Describe(MessagePackFormat.Default);
        Assert.That(text, Does.Contain($"  5 Count({MessagePackFormat.Default.Describe(typeof(int))}) -> CountResult"));
    }

    [Test]
    public void DescribeRefusesANullFormat()
    {
        Assert.Throws<ArgumentNullException>(() => TestInterface.Info.Describe(null!));
    }

    [Test]
    public void ServicesAndStreamsAreFoundByIdInSeparateSpaces()
    {
        var info = TestInterface.Info;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.FindService(TestIds.Count)!.Name, Is.EqualTo("Count"));
            Assert.That(info.FindService(TestIds.Count)!.ResponseUpdates.Select(u => u.Id), Is.EqualTo(new[] { 11, 12 }));
            Assert.That(info.FindService(TestIds.Ping)!.Documentation, Is.EqualTo("Ping the server."));
            Assert.That(info.FindStream(TestIds.Tick)!.Name, Is.EqualTo("Tick"));
            Assert.That(info.FindService(TestIds.Tick), Is.Null, "stream IDs are not service IDs");
            Assert.That(info.FindStream(TestIds.Add), Is.Null, "service IDs are not stream IDs");
            Assert.That(info.FindService(1234), Is.Null);
            Assert.That(info.FindStream(-1), Is.Null);
        }
    }

    [Test]
    public void HiddenMembersAreStillFoundById()
    {
        Assert.That(TestInterface.Info.FindService(TestIds.Secret)!.Hidden, Is.True);
        Assert.That(TestInterface.Info.FindStream(TestIds.Debug)!.Hidden, Is.True);
    }

    [Test]
    public void AnInterfaceWithNothingVisibleListsOnlyItsName()
    {
        var info = new RpcInterfaceInfo("Empty", [new(1, "Hidden", null, null, [], [], Hidden: true)], []);
        Assert.That(info.Describe(RawFormat.Default), Is.EqualTo(Lines("service Empty (raw)")));
    }

    /// <summary>A format that only describes, so the listing shows exactly where the format's descriptions go.</summary>
    private sealed class AngleFormat : IRpcFormat
    {
        public string Name => "angle";

        public ReadOnlyMemory<byte> NoBody => throw new NotSupportedException();

        public ReadOnlyMemory<byte> Encode<T>(T value) => throw new NotSupportedException();

        public T Decode<T>(ReadOnlyMemory<byte> body, bool nullable) => throw new NotSupportedException();

        public string Describe(Type type) => $"<{type.Name}>";
    }
}
