using FizyrRpc.Tests.Generator.Camera;

namespace FizyrRpc.Tests.Generator;

/// <summary>The generated per-service contexts are views over the raw context, so handling a request allocates no wrapper.</summary>
public sealed class GeneratedContextTests
{
    [Test]
    public void TheContextsAreValueTypes()
    {
        Assert.That(typeof(CameraServerBase<StreamBody>.PingContext).IsValueType, Is.True);
        Assert.That(typeof(CameraServerBase<StreamBody>.RecordContext).IsValueType, Is.True);
    }

    [Test]
    public void ADefaultContextHasNoRawContextAndTheConstructorRefusesNull()
    {
        Assert.That(default(CameraServerBase<StreamBody>.RecordContext).Raw, Is.Null);
        Assert.Throws<ArgumentNullException>(() => _ = new CameraServerBase<StreamBody>.RecordContext(null!));
    }
}
