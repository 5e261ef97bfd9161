namespace FizyrRpc.Tests.Seqpacket;

/// <summary>Waits that fail a test instead of hanging it, and exception checks for async calls.</summary>
internal static class Waits
{
    /// <summary>How long any single wait of a test may take before it counts as a hang.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Task WithTimeout(this Task task) => task.WaitAsync(Timeout);

    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static Task<T> WithTimeout<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Timeout);

    public static Task WithTimeout(this ValueTask task) => task.AsTask().WaitAsync(Timeout);

    /// <summary>Expects <paramref name="action"/> to fail with <typeparamref name="TException"/> (or a subclass) within the timeout.</summary>
    public static async Task<TException> ThrowsAsync<TException>(Func<Task> action)
        where TException : Exception
    {
        try
        {
            await Run(action).WaitAsync(Timeout);
        }
        catch (TException expected)
        {
            return expected;
        }
        catch (TimeoutException) when (typeof(TException) != typeof(TimeoutException))
        {
            throw new AssertionException($"Expected {typeof(TException).Name}, but the call was still pending after {Timeout}.");
        }
        catch (Exception other)
        {
            throw new AssertionException($"Expected {typeof(TException).Name}, but got {other.GetType().Name}: {other}");
        }

        throw new AssertionException($"Expected {typeof(TException).Name}, but the call completed normally.");
    }

    private static async Task Run(Func<Task> action) => await action();
}
