namespace FizyrRpc.ConcurrencyTests;

/// <summary>
/// Scheduling points that perturb the interleaving, drawn from a seeded generator: at each point a task goes on at
/// once, yields once or several times to the thread pool, or spins a while. The transport and the tests call it
/// between their steps, so each seed pushes the engine's tasks (read loop, writer, handlers, closers) into a different
/// order. Seeds steer rather than replay: the threads draw from the generator in whatever order they reach it.
/// </summary>
internal static class Schedule
{
    private static readonly object Gate = new();
    private static Random _random = new(1);

    /// <summary>Starts an iteration's schedule.</summary>
    public static void Reset(int seed)
    {
        lock (Gate)
            _random = new Random(seed);
    }

    public static async ValueTask PointAsync()
    {
        int choice, amount;
        lock (Gate)
            (choice, amount) = (_random.Next(4), _random.Next(1, 2000));
        switch (choice)
        {
            case 0:
                return;
            case 1:
                await Task.Yield();
                return;
            case 2:
                for (var i = 0; i < 1 + amount % 4; i++)
                    await Task.Yield();
                return;
            default:
                Thread.SpinWait(amount);
                return;
        }
    }
}
