using System.Diagnostics;
using System.Globalization;
using FizyrRpc.ConcurrencyTests;

// Seeded concurrency exploration of the close / cancel / respond races (docs/RELIABILITY.md says why not Coyote).
//   dotnet run -c Release --project FizyrRpc.ConcurrencyTests -- [ITERATIONS] [FIRST_SEED]
// Each race runs ITERATIONS iterations (default 300), iteration i with schedule seed FIRST_SEED + i, and must break no
// invariant and never hang; then it runs over a transport with a planted lost wake-up until it finds it (at most
// 100 x ITERATIONS iterations: the bug shows only in some orders, once in about a thousand for the rarest race), and must find it. Ends with "N passed, M failed".
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var firstSeed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;

// A liveness bound, not a timing: an iteration is a handful of in-memory messages, done in milliseconds; one still
// running after this long is stuck (a lost wake-up, a call nobody answers, a close that never ends).
var hangLimit = TimeSpan.FromSeconds(5);

int passed = 0, failed = 0;
foreach (var (name, what, run) in Races.All)
{
    var time = Stopwatch.StartNew();
    var clean = await ExploreAsync(run, planted: false, iterations);
    Report(clean.Failure is null, $"{name}: {what}",
        $"{clean.Iterations} seeded interleavings in {time.Elapsed.TotalSeconds:F1} s{(clean.Failure is null ? "" : $"; seed {clean.Seed}: {clean.Failure}")}");
    var planted = await ExploreAsync(run, planted: true, iterations * 100);
    Report(planted.Failure is not null, $"{name} finds the planted lost wake-up",
        planted.Failure is null ? $"not found in {planted.Iterations} iterations" : $"found at iteration {planted.Iterations} (seed {planted.Seed}): {planted.Failure}");
}

Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

void Report(bool ok, string test, string figure)
{
    Console.WriteLine($"{(ok ? "PASS" : "FAIL")} {test} ({figure})");
    if (ok)
        passed++;
    else
        failed++;
}

// Runs iterations until one fails; returns how many ran and the first failure.
async Task<(int Iterations, int Seed, string? Failure)> ExploreAsync(Func<bool, Task> run, bool planted, int iterations)
{
    for (var i = 0; i < iterations; i++)
    {
        var seed = firstSeed + i;
        Schedule.Reset(seed);
        var iteration = Task.Run(() => run(planted));
        try
        {
            await iteration.WaitAsync(hangLimit);
        }
        catch (TimeoutException)
        {
            // The stuck iteration is abandoned: its peers are in memory only and hold no socket.
            return (i + 1, seed, $"hung: still running after {hangLimit.TotalSeconds:F0} s");
        }
        catch (Exception error)
        {
            return (i + 1, seed, $"{error.GetType().Name}: {error.Message}");
        }
    }

    return (iterations, firstSeed + iterations - 1, null);
}
