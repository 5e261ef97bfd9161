using System.Globalization;
using System.Net;

namespace FizyrRpc.Benchmarks.Reliability;

/// <summary>What a scenario gets: the server, the mode, and where it records its own checks and facts.</summary>
internal sealed class ScenarioContext(ServerChild server, bool full)
{
    public ServerChild Server { get; } = server;

    public IPEndPoint EndPoint => Server.EndPoint;

    /// <summary>Full mode (the sizes) or the short mode CI runs.</summary>
    public bool Full { get; } = full;

    /// <summary>Picks the full or the short size.</summary>
    public int Size(int full, int @short) => Full ? full : @short;

    /// <summary>Scenario-specific invariants: name, held, and the figure behind it.</summary>
    public List<(string Name, bool Held, string Figure)> Checks { get; } = [];

    /// <summary>What the report's notes column says about the attack (sent, closed, ...).</summary>
    public List<string> Notes { get; } = [];

    public void Note(FormattableString note) => Notes.Add(note.ToString(CultureInfo.InvariantCulture));
}

/// <summary>One hostile scenario: the attack, the server's heap limit, and its memory bound.</summary>
internal abstract class Scenario
{
    /// <summary>The 64 MiB the "done when" names for the flood: the bound for every scenario's growth.</summary>
    public const long DefaultGrowthBound = 64L * 1024 * 1024;

    public abstract string Name { get; }

    /// <summary>What the attack does, for the table, in the mode given.</summary>
    public abstract string Describe(bool full);

    /// <summary>The server's DOTNET_GCHeapHardLimit, or null for none.</summary>
    public virtual string? HeapHardLimit => null;

    /// <summary>The server's frame timeout in the mode given, or null for the engine's default (10 s).</summary>
    public virtual TimeSpan? FrameTimeout(bool full) => null;

    /// <summary>The largest growth of the server's resident set (peak minus before) the growth invariant allows.</summary>
    public virtual long GrowthBound => DefaultGrowthBound;

    /// <summary>
    /// Runs the attack up to its held state (everything sent that the server takes, the hostile connections still
    /// open) and returns what releases it. Scenario-specific checks go into <see cref="ScenarioContext.Checks"/>.
    /// </summary>
    public abstract Task<Action> AttackAsync(ScenarioContext context);
}
