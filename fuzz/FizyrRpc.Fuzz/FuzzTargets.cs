namespace FizyrRpc.Fuzz;

/// <summary>
/// The one entry point every mode feeds: the first byte of an input picks the target, the rest is that target's input.
/// One coverage-guided run then covers the frame parser and the typed decoders together, and a finding of one target
/// is a plain file any mode can replay.
/// </summary>
internal static class FuzzTargets
{
    /// <summary>The targets, in the order the first byte picks them (modulo their count).</summary>
    public static readonly string[] Names = ["frames", "msgpack", "json"];

    /// <summary>
    /// Runs one input. Returns normally when the code under test behaved: it accepted the input, or rejected it with
    /// its documented typed error. Throws <see cref="FuzzFailure"/> when an invariant broke; any other exception
    /// escaping is a bug of the code under test as well (an untyped error on hostile input).
    /// </summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
            return;
        var rest = input[1..];
        switch (input[0] % Names.Length)
        {
            case 0:
                FrameTarget.Run(rest);
                break;
            case 1:
                FormatTarget.Run(rest, json: false);
                break;
            default:
                FormatTarget.Run(rest, json: true);
                break;
        }
    }
}

/// <summary>An invariant of the code under test did not hold for an input.</summary>
internal sealed class FuzzFailure(string message) : Exception(message);
