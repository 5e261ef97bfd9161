using System.Buffers;
using System.Collections.Concurrent;

namespace FizyrRpc.Tests.TestSupport;

/// <summary>An array pool that records what it lends and what comes back, so tests can await a return.</summary>
public sealed class CountingArrayPool : ArrayPool<byte>
{
    private readonly ConcurrentDictionary<byte[], int> _returns = new(ReferenceEqualityComparer.Instance);
    private readonly SemaphoreSlim _returned = new(0);
    private int _rented;

    public int Rented => Volatile.Read(ref _rented);

    public int Returned => _returns.Values.Sum();

    /// <summary>How often <paramref name="array"/> came back (more than once is a bug).</summary>
    public int ReturnsOf(byte[] array) => _returns.GetValueOrDefault(array);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _rented);
        var array = new byte[minimumLength + 3]; // larger than asked, as real pools lend
        _returns[array] = 0;
        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        if (!_returns.ContainsKey(array))
            throw new InvalidOperationException("An array this pool never lent came back.");
        _returns.AddOrUpdate(array, 1, (_, count) => count + 1);
        _returned.Release();
    }

    /// <summary>Waits until <paramref name="count"/> returns happened in all.</summary>
    public async Task WaitForReturnsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        while (Returned < count)
            await _returned.WaitAsync(timeout.Token);
    }
}
