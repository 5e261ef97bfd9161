using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Wire;

/// <summary>A rented stream body: its bytes are the pool's array, and the array goes back exactly once.</summary>
public class StreamBodyRentTests
{
    [Test]
    public void ARentedBodyIsFilledThroughItsContentsAndReturnedOnce()
    {
        var pool = new CountingArrayPool();
        var body = StreamBody.Rent(pool, 5, out var contents);
        new byte[] { 1, 2, 3, 4, 5 }.CopyTo(contents);
        var copy = body;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.IsRented, Is.True);
            Assert.That(body.Length, Is.EqualTo(5), "the body is as long as asked, not as the array");
            Assert.That(body.Span.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5 }));
            Assert.That(pool.Rented, Is.EqualTo(1));
            Assert.That(pool.Returned, Is.Zero);
        }

        body.Dispose();
        copy.Dispose();
        body.Dispose();
        Assert.That(pool.Returned, Is.EqualTo(1));
    }

    [Test]
    public void AnOrdinaryBodyIsNotRentedAndItsDisposeDoesNothing()
    {
        var bytes = new byte[] { 9 };
        var body = new StreamBody(bytes);
        body.Dispose();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.IsRented, Is.False);
            Assert.That(body.Span.ToArray(), Is.EqualTo(bytes));
        }
    }

    [Test]
    public void RentChecksItsArguments()
    {
        Assert.Throws<ArgumentNullException>(() => StreamBody.Rent(null!, 1, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => StreamBody.Rent(new CountingArrayPool(), -1, out _));
    }
}
