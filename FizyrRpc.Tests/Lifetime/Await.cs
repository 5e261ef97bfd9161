using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>Waits that fail a test instead of hanging it, and exception checks for async calls.</summary>
internal static class Await
{
    /// <summary>Waits at most <see cref="Loopback.Timeout"/>.</summary>
    public static Task WithTimeout(this Task task) => task.WaitAsync(Loopback.Timeout);

    /// <inheritdoc cref="WithTimeout(Task)"/>
    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(Loopback.Timeout);

    /// <inheritdoc cref="WithTimeout(Task)"/>
    public static Task<T> WithTimeout<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Loopback.Timeout);

    /// <inheritdoc cref="WithTimeout(Task)"/>
    public static Task WithTimeout(this ValueTask task) => task.AsTask().WaitAsync(Loopback.Timeout);

    /// <summary>
    /// Runs <paramref name="action"/> and expects it to fail with <typeparamref name="TException"/> (or a subclass),
    /// whether it throws at once or its task faults, within the timeout.
    /// </summary>
    public static async Task<TException> ThrowsAsync<TException>(Func<Task> action)
        where TException : Exception
    {
        try
        {
            await Run(action).WaitAsync(Loopback.Timeout);
        }
        catch (TException expected)
        {
            return expected;
        }
        catch (TimeoutException) when (typeof(TException) != typeof(TimeoutException))
        {
            throw new AssertionException($"Expected {typeof(TException).Name}, but the call was still pending after {Loopback.Timeout}.");
        }
        catch (Exception other)
        {
            throw new AssertionException($"Expected {typeof(TException).Name}, but got {other.GetType().Name}: {other}");
        }

        throw new AssertionException($"Expected {typeof(TException).Name}, but the call completed normally.");
    }

    /// <summary>Expects <see cref="ConnectionClosedException"/> with <paramref name="reason"/>.</summary>
    public static async Task<ConnectionClosedException> ClosedAsync(Func<Task> action, CloseReason reason)
    {
        var error = await ThrowsAsync<ConnectionClosedException>(action);
        Assert.That(error.Reason, Is.EqualTo(reason), error.ToString());
        return error;
    }

    /// <summary>Expects an already started wait to fail with <see cref="ConnectionClosedException"/> and <paramref name="reason"/>.</summary>
    public static Task<ConnectionClosedException> ClosedAsync(Task pending, CloseReason reason) => ClosedAsync(() => pending, reason);

    private static async Task Run(Func<Task> action) => await action();
}
