namespace FizyrRpc;

/// <summary>The one top-level rule every format applies to "no body" (see <see cref="IRpcFormat"/>).</summary>
internal static class NoBodyRule
{
    /// <summary>
    /// Called when a body is empty or the format's "no body": returns the default value when the declared type accepts
    /// it, and throws otherwise.
    /// </summary>
    /// <exception cref="RpcFormatException">The declared type is not nullable.</exception>
    public static T Accept<T>(bool nullable, string format)
    {
        if (nullable || default(T) is null && Nullable.GetUnderlyingType(typeof(T)) is not null)
            return default!;
        throw new RpcFormatException($"no body ({format}) for a non-nullable {FormatNames.Describe(typeof(T))}", typeof(T));
    }
}
