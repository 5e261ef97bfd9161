namespace FizyrRpc.Samples.SharedMemory;

/// <summary>
/// The test pattern standing in for camera data: 64-bit word i of frame f is a cheap hash of (f, i), so every word of
/// every frame differs and the client can check each one without any copy of the frame.
/// </summary>
public static class FramePattern
{
    /// <summary>Word <paramref name="index"/> of frame <paramref name="frame"/>.</summary>
    public static ulong Word(uint frame, long index) =>
        ((ulong)index + 1) * 0x9E3779B97F4A7C15UL ^ (frame + 1) * 0xC2B2AE3D27D4EB4FUL;

    /// <summary>Writes the pattern of <paramref name="frame"/> into <paramref name="words"/>.</summary>
    public static void Fill(Span<ulong> words, uint frame)
    {
        for (var i = 0; i < words.Length; i++)
            words[i] = Word(frame, i);
    }

    /// <summary>The index of the first word that differs from the pattern of <paramref name="frame"/>, or -1.</summary>
    public static long FindMismatch(ReadOnlySpan<ulong> words, uint frame)
    {
        for (var i = 0; i < words.Length; i++)
        {
            if (words[i] != Word(frame, i))
                return i;
        }

        return -1;
    }
}
