namespace FizyrRpc.Benchmarks.Micro;

/// <summary>
/// A benchmark class that can tell whether one of its benchmark methods computed the right thing, so the smoke mode
/// catches a broken benchmark (or a broken code path under it) without measuring anything.
/// </summary>
public interface ISmokeCheck
{
    /// <summary>Checks the outcome of benchmark <paramref name="method"/>, which returned <paramref name="result"/>.</summary>
    /// <returns>Null when it is right, otherwise what is wrong.</returns>
    string? Check(string method, object? result);
}
