using System.Buffers;
using System.Collections.Concurrent;
using FizyrRpc.Tests.Peer;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Bounds;

/// <summary>
/// A large body is allocated as its bytes arrive, never in full on the word of its header (issue 11: 1,000
/// connections announcing 1 MiB and trickling took a 256 MiB-heap server down).
/// </summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class AnnouncedBodyTests(LoopbackKind kind)
{
    private const int Announced = 8 << 20;
    private const int FirstPart = 100 << 10;

    [Test]
    public async Task AHeaderAnnouncingEightMebibytesGetsAnArrayForWhatArrivedAndTheWholeBodyIsStillIntact()
    {
        var pool = new RecordingPool();
        var config = new StreamConfig { MaxBodyLengthRead = Announced, LargeBodyPool = pool };
        await using var raw = await Loopback.RawAsync(kind, config);
        var body = new byte[Announced];
        new Random(11).NextBytes(body);
        var frame = RawPeer.Frame(MessageHeader.Stream(3), body, raw.Endian);

        await raw.SendAsync(frame.AsMemory(0, StreamFraming.PrefixAndHeaderSize + FirstPart));
        var first = await pool.NextRentAsync();
        Assert.That(first, Is.LessThanOrEqualTo(1 << 20), "the first array is sized by what arrived, not by the 8 MiB header");

        var sending = raw.SendAsync(frame.AsMemory(StreamFraming.PrefixAndHeaderSize + FirstPart));
        var message = await raw.Peer.ReceiveStreamAsync();
        await sending.Within();
        using (message.Body)
            Assert.That(message.Body.Span.SequenceEqual(body), Is.True, "the grown body holds every byte in order");
        Assert.That(pool.Sizes.Max(), Is.EqualTo(Announced));
        Assert.That(pool.Outstanding, Is.Zero, "every smaller array went back as the body grew");
    }

    private sealed class RecordingPool : ArrayPool<byte>
    {
        private readonly ConcurrentQueue<int> _sizes = new();
        private readonly SemaphoreSlim _rented = new(0);
        private int _outstanding;

        public IReadOnlyCollection<int> Sizes => _sizes;

        public int Outstanding => Volatile.Read(ref _outstanding);

        public async Task<int> NextRentAsync()
        {
            Assert.That(await _rented.WaitAsync(Loopback.Timeout), Is.True, "nothing was rented");
            return _sizes.First();
        }

        public override byte[] Rent(int minimumLength)
        {
            Interlocked.Increment(ref _outstanding);
            _sizes.Enqueue(minimumLength);
            _rented.Release();
            return new byte[minimumLength];
        }

        public override void Return(byte[] array, bool clearArray = false) => Interlocked.Decrement(ref _outstanding);
    }
}
