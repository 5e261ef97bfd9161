namespace System.Runtime.CompilerServices;

/// <summary>Lets records compile on netstandard2.0 (the type ships with .NET 5 and later only).</summary>
internal static class IsExternalInit
{
}
