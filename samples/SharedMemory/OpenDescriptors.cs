namespace FizyrRpc.Samples.SharedMemory;

/// <summary>The descriptors this process has open (from /proc/self/fd), each with what it refers to.</summary>
public sealed class OpenDescriptors
{
    private readonly Dictionary<int, string> _targets;

    private OpenDescriptors(Dictionary<int, string> targets) => _targets = targets;

    /// <summary>How many descriptors were open.</summary>
    public int Count => _targets.Count;

    /// <summary>Lists the open descriptors now.</summary>
    public static OpenDescriptors Take()
    {
        var targets = new Dictionary<int, string>();
        foreach (var entry in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            // The listing's own directory descriptor is gone by the time we look at it: skip what has closed.
            var target = TryReadLink(entry);
            if (target is not null)
                targets[int.Parse(Path.GetFileName(entry), System.Globalization.CultureInfo.InvariantCulture)] = target;
        }

        return new OpenDescriptors(targets);
    }

    /// <summary>The descriptors open now that were not open (or referred to something else) in <paramref name="earlier"/>.</summary>
    public IReadOnlyList<string> NewSince(OpenDescriptors earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        // The runtime opens /proc files for a moment at any time (the GC reads /proc/meminfo): they are not ours.
        return _targets
            .Where(pair => !pair.Value.StartsWith("/proc/", StringComparison.Ordinal))
            .Where(pair => !earlier._targets.TryGetValue(pair.Key, out var target) || target != pair.Value)
            .OrderBy(pair => pair.Key)
            .Select(pair => $"fd {pair.Key} -> {pair.Value}")
            .ToList();
    }

    private static string? TryReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
