using Microsoft.CodeAnalysis;

namespace FizyrRpc.Generator.Diagnostics;

/// <summary>
/// Every diagnostic of the generator. IDs are stable: never reuse or renumber one. Each links to its row of the README's
/// diagnostics table (anchor <c>#frpcNNN</c>) at the project's public address.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "FizyrRpc";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "FRPC001",
        "[RpcService] interface must be partial",
        "'{0}' must be declared partial: {1}");

    public static readonly DiagnosticDescriptor DuplicateServiceId = Error(
        "FRPC002",
        "Duplicate service ID",
        "Service ID {0} of '{1}' is already used by '{2}'");

    public static readonly DiagnosticDescriptor DuplicateStreamId = Error(
        "FRPC003",
        "Duplicate stream ID",
        "Stream ID {0} of '{1}' is already used by '{2}'");

    public static readonly DiagnosticDescriptor DuplicateRequestUpdateId = Error(
        "FRPC004",
        "Duplicate request-update ID",
        "Request-update ID {0} is declared twice on '{1}'");

    public static readonly DiagnosticDescriptor DuplicateResponseUpdateId = Error(
        "FRPC005",
        "Duplicate response-update ID",
        "Response-update ID {0} is declared twice on '{1}'");

    public static readonly DiagnosticDescriptor MissingKind = Error(
        "FRPC006",
        "Method is neither a service nor a stream",
        "The method '{0}' of an [RpcService] interface needs [Service(id)] or [Stream(id)]");

    public static readonly DiagnosticDescriptor BothKinds = Error(
        "FRPC007",
        "Method is both a service and a stream",
        "The method '{0}' has both [Service] and [Stream]: choose one");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "FRPC008",
        "Unsupported return type",
        "The {0} '{1}' returns '{2}': {3}");

    public static readonly DiagnosticDescriptor UnsupportedParameter = Error(
        "FRPC009",
        "Unsupported parameter",
        "The parameter '{0}' of '{1}' is not supported: {2}");

    public static readonly DiagnosticDescriptor GenericMethod = Error(
        "FRPC010",
        "Generic method",
        "The method '{0}' is generic: RPC methods cannot have type parameters");

    public static readonly DiagnosticDescriptor DuplicateUpdateName = Error(
        "FRPC011",
        "Duplicate update name",
        "The {0} name '{1}' is used twice on '{2}': set Name to tell them apart");

    public static readonly DiagnosticDescriptor UpdateOnStream = Error(
        "FRPC012",
        "Updates on a stream",
        "The stream '{0}' declares updates: only services ([Service]) have updates");

    public static readonly DiagnosticDescriptor GenericInterface = Error(
        "FRPC013",
        "Generic [RpcService] interface",
        "The [RpcService] interface '{0}' is generic or nested in a generic type, which is not supported");

    public static readonly DiagnosticDescriptor ReservedName = Error(
        "FRPC014",
        "Reserved name",
        "The name '{0}' of '{1}' is reserved for undeclared IDs and undecodable messages: set another Name");

    public static readonly DiagnosticDescriptor UnsupportedMember = Error(
        "FRPC015",
        "Unsupported interface member",
        "The member '{0}' is not supported in an [RpcService] interface: declare methods only");

    public static readonly DiagnosticDescriptor Inaccessible = Error(
        "FRPC016",
        "Inaccessible [RpcService] interface",
        "The [RpcService] interface '{0}' must be public or internal, and so must every type it is nested in");

    public static readonly DiagnosticDescriptor DuplicateName = Error(
        "FRPC017",
        "Clashing generated names",
        "The name '{0}' of '{1}' is already used by '{2}': the generated members would clash");

    public static readonly DiagnosticDescriptor BaseInterface = Error(
        "FRPC018",
        "Base interfaces are not supported",
        "The [RpcService] interface '{0}' extends '{1}': declare every method on the interface itself");

    public static readonly DiagnosticDescriptor ReservedMethodName = Error(
        "FRPC019",
        "Method name clashes with the generated client",
        "The method name '{0}' clashes with a member the generated client inherits: rename the method");

    public static readonly DiagnosticDescriptor InvalidName = Error(
        "FRPC020",
        "Invalid update name",
        "The update name '{0}' of '{1}' is not a valid C# identifier: generated type and method names are made from it");

    public static readonly DiagnosticDescriptor UnsupportedBodyType = Error(
        "FRPC021",
        "Body type cannot be encoded",
        "The body type '{0}' ({1}) cannot be encoded as MessagePack: {2}");

    public static readonly DiagnosticDescriptor NoConstructor = Error(
        "FRPC022",
        "Body type cannot be created",
        "The body type '{0}' ({1}) cannot be read from MessagePack: {2}");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id));

    /// <summary>The README row of <paramref name="id"/>: the project's address (Directory.Build.props) and the ID's anchor.</summary>
    // The README's row for the ID, at the public address the build was given; without one, a URN with the same anchor.
    internal static string HelpLink(string id) =>
        (BuildInfo.PublicUrl.Length > 0 ? BuildInfo.PublicUrl : "urn:fizyrrpc:readme") + "#" + id.ToLowerInvariant();
}
