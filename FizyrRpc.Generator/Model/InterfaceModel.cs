namespace FizyrRpc.Generator.Model;

/// <summary>An [RpcService] interface, everything the emitter needs.</summary>
/// <param name="Namespace">The namespace to generate into; empty for the global namespace.</param>
/// <param name="ContainingTypes">The types the interface is nested in, outermost first: the generated code re-opens them.</param>
/// <param name="InterfaceName">The interface's own name, which the generated code re-opens as a partial interface.</param>
/// <param name="InterfaceType">The interface's fully qualified name (global::...).</param>
/// <param name="ServiceName">The name introspection shows.</param>
/// <param name="Documentation">The interface's XML doc summary, if any.</param>
/// <param name="Services">The [Service] methods, in declaration order.</param>
/// <param name="Streams">The [Stream] methods, in declaration order.</param>
/// <param name="HintName">The start of the generated files' names (the interface's full name); each type adds its own name.</param>
/// <param name="Formatters">The MessagePack formatters of every body type, and of the types they contain.</param>
/// <param name="BodyFormatters">The formatter of each body type, for the generated resolver.</param>
internal sealed record InterfaceModel(
    string Namespace,
    EquatableArray<ContainingTypeModel> ContainingTypes,
    string InterfaceName,
    string InterfaceType,
    string ServiceName,
    string? Documentation,
    EquatableArray<ServiceModel> Services,
    EquatableArray<StreamModel> Streams,
    string HintName,
    EquatableArray<ShapeModel> Formatters,
    EquatableArray<BodyFormatterModel> BodyFormatters);

/// <summary>A type the interface is nested in, as its partial declaration is re-opened.</summary>
/// <param name="Keyword">"class", "struct", "interface", "record" or "record struct".</param>
/// <param name="Name">Its name.</param>
internal sealed record ContainingTypeModel(string Keyword, string Name);

/// <summary>How an interface method returns.</summary>
internal enum ReturnKind
{
    Task,
    ValueTask,
}

/// <summary>
/// A parameter carrying a body: its type (as declared and as typeof accepts it) and name, and whether the declared type
/// is annotated nullable (then "no body" is a valid value).
/// </summary>
internal sealed record BodyParameter(string Type, string TypeOfName, string Name, bool HasDefault, bool Nullable);

/// <summary>A [Service] method.</summary>
/// <param name="Name">The service name: the method name without "Async".</param>
/// <param name="MethodName">The interface method's name.</param>
/// <param name="Id">The service ID.</param>
/// <param name="Request">The request parameter, if the service takes a body.</param>
/// <param name="CancellationTokenName">The name of the trailing CancellationToken parameter, if any.</param>
/// <param name="CancellationTokenHasDefault">Whether that parameter has a default value.</param>
/// <param name="ReturnKind">Task or ValueTask.</param>
/// <param name="ResponseType">The response type, or null for a call without a value.</param>
/// <param name="ResponseTypeOfName">The response type as typeof accepts it.</param>
/// <param name="Documentation">The method's XML doc summary, if any.</param>
/// <param name="Hidden">Whether it is [Hidden].</param>
/// <param name="RequestUpdates">The updates the requester may send.</param>
/// <param name="ResponseUpdates">The updates the responder may send.</param>
/// <param name="ResponseNullable">Whether the response type is annotated nullable (then "no body" is a valid response).</param>
internal sealed record ServiceModel(
    string Name,
    string MethodName,
    int Id,
    BodyParameter? Request,
    string? CancellationTokenName,
    bool CancellationTokenHasDefault,
    ReturnKind ReturnKind,
    string? ResponseType,
    string? ResponseTypeOfName,
    string? Documentation,
    bool Hidden,
    EquatableArray<UpdateModel> RequestUpdates,
    EquatableArray<UpdateModel> ResponseUpdates,
    bool ResponseNullable)
{
    public bool HasUpdates => RequestUpdates.Count > 0 || ResponseUpdates.Count > 0;
}

/// <summary>A [RequestUpdate] or [ResponseUpdate] of a service.</summary>
internal sealed record UpdateModel(int Id, string Name, string BodyType, string BodyTypeOfName);

/// <summary>A [Stream] method.</summary>
/// <param name="Name">The stream name: the method name without "Async".</param>
/// <param name="MethodName">The interface method's name.</param>
/// <param name="Id">The stream ID.</param>
/// <param name="Value">The value parameter, if the stream carries a body.</param>
/// <param name="CancellationTokenName">The name of the trailing CancellationToken parameter, if any.</param>
/// <param name="CancellationTokenHasDefault">Whether that parameter has a default value.</param>
/// <param name="ReturnKind">Task or ValueTask.</param>
/// <param name="Documentation">The method's XML doc summary, if any.</param>
/// <param name="Hidden">Whether it is [Hidden].</param>
internal sealed record StreamModel(
    string Name,
    string MethodName,
    int Id,
    BodyParameter? Value,
    string? CancellationTokenName,
    bool CancellationTokenHasDefault,
    ReturnKind ReturnKind,
    string? Documentation,
    bool Hidden);
