using System.Globalization;

namespace FizyrRpc.Samples.SharedMemory;

/// <summary>Sizes and rates for people.</summary>
public static class Format
{
    /// <summary>A byte count in B, KiB, MiB or GiB.</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB"];
        var unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {units[unit]}");
    }

    /// <summary>A rate in GB/s (10^9 bytes per second).</summary>
    public static string GigabytesPerSecond(double bytesPerSecond) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond / 1e9:F2} GB/s");
}
