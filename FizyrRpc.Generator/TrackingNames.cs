namespace FizyrRpc.Generator;

/// <summary>The names of the pipeline's steps, so tests can assert how each one ran.</summary>
internal static class TrackingNames
{
    /// <summary>The known-type symbols of a compilation (new with each compilation; the parse reads them).</summary>
    public const string KnownTypes = nameof(KnownTypes);

    /// <summary>The parse of one [RpcService] interface into a result (model + diagnostics).</summary>
    public const string Result = nameof(Result);

    /// <summary>The model alone, feeding the source output.</summary>
    public const string Model = nameof(Model);

    /// <summary>The diagnostics alone, feeding the diagnostics output.</summary>
    public const string Diagnostics = nameof(Diagnostics);
}
