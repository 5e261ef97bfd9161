using FizyrRpc.Tests.Generator.Camera;

namespace FizyrRpc.Tests.Generator;

/// <summary>The generated per-service contexts are views over the raw context, so handling a request allocates no wrapper.</summary>
public sealed class GeneratedContextTests
{
    [Test]
    public void TheContextsAreValueTypes()
    {
        Assert.That(typeof(ICamera.ServerBase.PingContext).IsValueType, Is.True);
        Assert.That(typeof(ICamera.ServerBase.RecordContext).IsValueType, Is.True);
    }

    [Test]
    public void ADefaultContextHasNoRawContextAndTheConstructorRefusesNull()
    {
        Assert.That(default(ICamera.ServerBase.RecordContext).Raw, Is.Null);
        Assert.Throws<ArgumentNullException>(() => _ = new ICamera.ServerBase.RecordContext(null!));
    }
}
