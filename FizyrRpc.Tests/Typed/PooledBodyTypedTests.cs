using System.Runtime.InteropServices;
using FizyrRpc.Tests.Interop;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Typed;

/// <summary>
/// A generated client on a connection that rents large received bodies: a decoded value that copies the body lets
/// the array go back to the pool, and a raw <c>ReadOnlyMemory&lt;byte&gt;</c> result, which is the body itself, keeps it.
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class PooledBodyTypedTests(LoopbackKind kind)
{
    [Test]
    public async Task ARawMemoryResultKeepsItsArrayAndACopiedResultReturnsIt()
    {
        var pool = new CountingArrayPool();
        var clientConfig = new StreamConfig { MaxBodyLengthRead = 1 << 20, MaxBodyLengthWrite = 1 << 20, LargeBodyPool = pool };
        var serverConfig = new StreamConfig { MaxBodyLengthRead = 1 << 20, MaxBodyLengthWrite = 1 << 20 };
        await using var pair = await Loopback.PairAsync(kind, clientConfig, serverConfig: serverConfig);
        var server = new RawBlobServer();
        var serving = server.ServeAsync(pair.Server);
        await using var client = new IBlobStore.Client(pair.Client, RawFormat.Default);

        var key = new byte[200_000];
        new Random(1).NextBytes(key);
        var got = await client.GetAsync(key).Within();
        // A large body's array grows as its bytes arrive, so it may take several rents; the smaller ones go back at once.
        Assert.That(pool.Rented, Is.GreaterThanOrEqualTo(1), "the large response was rented");
        Assert.That(pool.Rented - pool.Returned, Is.EqualTo(1), "a raw memory result is the body: its array stays with the caller");
        var rentedBeforePut = pool.Rented;
        Assert.That(got.Span[1..^1].SequenceEqual(key), Is.True);

        // byte[] results are copies: the body goes back to the pool once decoded, and so does the skipped progress update.
        var put = await client.PutAsync(key).Within();
        Assert.That(pool.Rented, Is.GreaterThanOrEqualTo(rentedBeforePut + 2), "the progress update and the response");
        await pool.WaitForReturnsAsync(pool.Rented - 1); // all but the raw result's
        Assert.That(MemoryMarshal.TryGetArray(got, out var kept), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(put, Is.EqualTo(key.Reverse().ToArray()));
            Assert.That(pool.ReturnsOf(kept.Array!), Is.Zero, "the raw result's array never went back");
            Assert.That(got.Span[1..^1].SequenceEqual(key), Is.True, "the first result is untouched");
        }

        await client.CloseAsync();
        await serving.Within();
    }
}
