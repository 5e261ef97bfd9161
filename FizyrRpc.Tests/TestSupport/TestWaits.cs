namespace FizyrRpc.Tests.TestSupport;

/// <summary>Waits that fail a test after <see cref="Loopback.Timeout"/> instead of hanging it.</summary>
internal static class TestWaits
{
    public static Task<T> Within<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Loopback.Timeout);

    public static Task Within(this ValueTask task) => task.AsTask().WaitAsync(Loopback.Timeout);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Loopback.Timeout);

    public static Task Within(this Task task) => task.WaitAsync(Loopback.Timeout);

    /// <summary>Expects <paramref name="action"/> to fail with <typeparamref name="TException"/> within the timeout.</summary>
    public static async Task<TException> ThrowsAsync<TException>(Func<Task> action)
        where TException : Exception
    {
        try
        {
            await action().WaitAsync(Loopback.Timeout);
        }
        catch (TException expected)
        {
            return expected;
        }
        catch (Exception other)
        {
            throw new AssertionException($"Expected {typeof(TException).Name}, but got {other.GetType().Name}: {other}");
        }

        throw new AssertionException($"Expected {typeof(TException).Name}, but the call completed normally.");
    }

    /// <summary>The next item of an async stream, failing if it ends or nothing comes in time.</summary>
    public static async Task<T> NextAsync<T>(this IAsyncEnumerator<T> items)
    {
        Assert.That(await items.MoveNextAsync().AsTask().WaitAsync(Loopback.Timeout), Is.True, "the stream ended");
        return items.Current;
    }
}
