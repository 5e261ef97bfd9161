using FizyrRpc.Fuzz;

// Modes (docs/RELIABILITY.md):
//   afl                         the SharpFuzz entry point that afl-fuzz runs (persistent; coverage from the instrumented FizyrRpc.Core and MessagePack)
//   replay PATH...              every file (or every file of every folder) through the targets, in process
//   smoke [SEED] [INPUTS] DIR   the corpus of DIR, then INPUTS deterministic mutations of it with SEED, in process
//   seeds DIR                   writes the starting corpus into DIR
// replay and smoke end with "N passed, M failed" (one check each) and exit 1 when an input broke an invariant.
switch (args.FirstOrDefault())
{
    case "afl":
        SharpFuzz.Fuzzer.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            FuzzTargets.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
        });
        return 0;

    case "replay" when args.Length > 1:
    {
        var inputs = args.Skip(1).SelectMany(Files).ToList();
        var failures = inputs.Count(path => !TryRun(Path.GetFileName(path), File.ReadAllBytes(path)));
        Console.WriteLine($"replay: {inputs.Count} inputs, {failures} broke an invariant");
        return Summary(inputs.Count > 0 && failures == 0);
    }

    case "smoke" when args.Length == 4:
    {
        var seed = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var corpus = Files(args[3]).Select(File.ReadAllBytes).ToList();
        var failures = corpus.Count(input => !TryRun("corpus", input));
        var mutator = new Mutator(seed);
        var perTarget = new int[FuzzTargets.Names.Length];
        for (var i = 0; i < count; i++)
        {
            var input = mutator.Mutate(corpus);
            if (input.Length > 0)
                perTarget[input[0] % perTarget.Length]++;
            if (!TryRun($"mutation {i}", input))
                failures++;
        }

        Console.WriteLine($"smoke: seed {seed}, {corpus.Count} corpus inputs and {count} mutations ("
            + string.Join(", ", FuzzTargets.Names.Select((name, i) => $"{name} {perTarget[i]}")) + $"), {failures} broke an invariant");
        return Summary(corpus.Count > 0 && failures == 0);
    }

    case "seeds" when args.Length == 2:
        Directory.CreateDirectory(args[1]);
        foreach (var (name, input) in Seeds.All())
            File.WriteAllBytes(Path.Combine(args[1], name), input);
        return 0;

    default:
        Console.Error.WriteLine("usage: FizyrRpc.Fuzz afl | replay PATH... | smoke SEED INPUTS CORPUS_DIR | seeds DIR");
        return 2;
}

static IEnumerable<string> Files(string path) =>
    Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [path];

static bool TryRun(string name, byte[] input)
{
    try
    {
        FuzzTargets.Run(input);
        return true;
    }
    catch (Exception error)
    {
        Console.WriteLine($"FAIL {name} ({Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 96)))}): {error.GetType().Name}: {error.Message}");
        return false;
    }
}

static int Summary(bool passed)
{
    Console.WriteLine(passed ? "1 passed, 0 failed" : "0 passed, 1 failed");
    return passed ? 0 : 1;
}
