using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml;
using System.Xml.Linq;
using FizyrRpc.Generator.Diagnostics;
using FizyrRpc.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FizyrRpc.Generator;

/// <summary>
/// Turns an [RpcService] interface's symbols into a model and diagnostics. Symbols stay in here: the model holds
/// strings, and types are recognised by comparing symbols with the compilation's <see cref="KnownTypeSymbols"/>.
/// </summary>
internal sealed class Parser
{
    private readonly KnownTypeSymbols _known;

    public Parser(KnownTypeSymbols known) => _known = known;

    /// <summary>Type names as declared, nullable annotations included.</summary>
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Members the generated client inherits (RpcClientBase, object): an interface method of the same name would hide one.</summary>
    private static readonly HashSet<string> ClientMembers = new(System.StringComparer.Ordinal)
    {
        "CallAsync", "StartAsync", "SendStreamAsync", "ReadStreamsAsync", "Encode", "NoBody", "CloseAsync", "DisposeAsync",
        "CreateCloseHandle", "Completion", "Format", "WriteHandle", "ReadHandle", "Equals", "GetHashCode", "ToString", "GetType",
        "MemberwiseClone", "Finalize", "InterfaceInfo",
    };

    public Result Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var symbol = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (InterfaceDeclarationSyntax)context.TargetNode;
        var diagnostics = new List<DiagnosticInfo>();
        var identifier = LocationInfo.From(syntax.Identifier);

        // The generated types are nested in the interface, so it and every type around it are re-opened as partial.
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            diagnostics.Add(Diagnostic(DiagnosticDescriptors.NotPartial, identifier, symbol.Name, "the generated client, server base and unions are nested in it"));
        var containingTypes = new List<ContainingTypeModel>();
        for (var outer = symbol.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var declaration = outer.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as TypeDeclarationSyntax;
            if (declaration is not null && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.NotPartial, identifier, outer.Name, $"the interface '{symbol.Name}' in it gets generated members"));
            containingTypes.Insert(0, new ContainingTypeModel(Keyword(outer), outer.Name));
        }

        if (IsGenericOrInGeneric(symbol))
            diagnostics.Add(Diagnostic(DiagnosticDescriptors.GenericInterface, identifier, symbol.Name));

        for (var type = symbol; type is not null; type = type.ContainingType)
        {
            if (type.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal))
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.Inaccessible, identifier, symbol.Name));
                break;
            }
        }

        if (symbol.Interfaces.Length > 0)
        {
            var location = syntax.BaseList is { } baseList ? LocationInfo.From(baseList.Types[0]) : identifier;
            diagnostics.Add(Diagnostic(DiagnosticDescriptors.BaseInterface, location, symbol.Name, symbol.Interfaces[0].Name));
        }

        var services = new List<ServiceModel>();
        var streams = new List<StreamModel>();
        var serviceIds = new Dictionary<int, string>();
        var streamIds = new Dictionary<int, string>();
        var serviceNames = new Dictionary<string, string>();
        var streamNames = new Dictionary<string, string>();
        var responseUpdateNames = new List<(string Name, string Method, LocationInfo? Location)>();
        var formatters = new FormatterParser(_known, diagnostics);

        foreach (var member in symbol.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (member)
            {
                case IMethodSymbol { MethodKind: MethodKind.Ordinary, IsAbstract: true } method:
                    ParseMethod(method);
                    break;
                case IPropertySymbol { IsAbstract: true } or IEventSymbol { IsAbstract: true }:
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.UnsupportedMember, MemberLocation(member, cancellationToken), member.Name));
                    break;
            }
        }

        // A response update's Send<Name>Async and a stream's Send<Name>Async share the generated request context.
        foreach (var (name, method, location) in responseUpdateNames)
        {
            if (streamNames.TryGetValue(name, out var stream))
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicateName, location, name, method, stream));
        }

        // The generated members of the interface itself: a method of the same name would clash with one.
        var generatedMembers = new HashSet<string>(InterfaceMembers, System.StringComparer.Ordinal);
        foreach (var service in services.Where(service => service.HasUpdates))
        {
            generatedMembers.Add(service.Name + "RequestUpdate");
            generatedMembers.Add(service.Name + "ResponseUpdate");
            generatedMembers.Add("Decode" + service.Name + "RequestUpdate");
            generatedMembers.Add("Decode" + service.Name + "ResponseUpdate");
        }

        foreach (var member in symbol.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method && generatedMembers.Contains(method.Name))
            {
                var location = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax methodSyntax
                    ? LocationInfo.From(methodSyntax.Identifier)
                    : LocationInfo.From(method.Locations.FirstOrDefault());
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicateName, location, method.Name, symbol.Name, $"the generated member '{symbol.Name}.{method.Name}'"));
            }
        }

        var hasErrors = diagnostics.Any(diagnostic => diagnostic.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
        var attribute = context.Attributes[0];
        var serviceName = NamedString(attribute, "Name");
        var model = hasErrors
            ? null
            : new InterfaceModel(
                symbol.ContainingNamespace.IsGlobalNamespace ? string.Empty : symbol.ContainingNamespace.ToDisplayString(),
                new EquatableArray<ContainingTypeModel>(containingTypes),
                symbol.Name,
                symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                serviceName ?? TypePrefix(symbol.Name),
                Documentation(symbol, cancellationToken),
                new EquatableArray<ServiceModel>(services),
                new EquatableArray<StreamModel>(streams),
                HintName(symbol),
                formatters.Shapes,
                formatters.Bodies);
        return new Result(model, new EquatableArray<DiagnosticInfo>(diagnostics));

        void ParseMethod(IMethodSymbol method)
        {
            var methodSyntax = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as MethodDeclarationSyntax;
            var methodLocation = methodSyntax is null ? LocationInfo.From(method.Locations.FirstOrDefault()) : LocationInfo.From(methodSyntax.Identifier);
            var service = KnownTypeSymbols.Find(method, _known.ServiceAttribute);
            var stream = KnownTypeSymbols.Find(method, _known.StreamAttribute);
            if (service is not null && stream is not null)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.BothKinds, methodLocation, method.Name));
                return;
            }

            if (service is null && stream is null)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.MissingKind, methodLocation, method.Name));
                return;
            }

            if (ClientMembers.Contains(method.Name))
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.ReservedMethodName, methodLocation, method.Name));
                return;
            }

            if (method.IsGenericMethod)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.GenericMethod, methodLocation, method.Name));
                return;
            }

            var isStream = stream is not null;
            var kindAttribute = (service ?? stream)!;
            if (kindAttribute.ConstructorArguments.Length != 1 || kindAttribute.ConstructorArguments[0].Value is not int id)
                return; // the compiler reports the malformed attribute

            var name = ServiceName(method.Name);
            var returnLocation = methodSyntax is null ? methodLocation : LocationInfo.From(methodSyntax.ReturnType);
            var returnKind = ParseReturnType(method, isStream, returnLocation, out var responseType);
            var parameters = ParseParameters(method, isStream, methodSyntax);
            var documentation = Documentation(method, cancellationToken);
            var hidden = KnownTypeSymbols.Find(method, _known.HiddenAttribute) is not null;
            var attributeLocation = AttributeLocation(kindAttribute, cancellationToken) ?? methodLocation;

            // IDs and names are unique per kind (services, streams); the unions that name their cases after them keep
            // Unknown and Invalid for themselves.
            void Register(Dictionary<int, string> ids, DiagnosticDescriptor duplicateId, Dictionary<string, string> names)
            {
                if (ids.TryGetValue(id, out var other))
                    diagnostics.Add(Diagnostic(duplicateId, attributeLocation, id.ToString(System.Globalization.CultureInfo.InvariantCulture), method.Name, other));
                else
                    ids.Add(id, method.Name);
                if (name is "Unknown" or "Invalid")
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.ReservedName, methodLocation, name, method.Name));
                else if (GeneratedMember(name, isStream) is { } generated)
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicateName, methodLocation, name, method.Name, generated));
                else if (names.TryGetValue(name, out var sameName))
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicateName, methodLocation, name, method.Name, sameName));
                else
                    names.Add(name, method.Name);
            }

            if (isStream)
            {
                var updates = KnownTypeSymbols.Find(method, _known.RequestUpdateAttribute) ?? KnownTypeSymbols.Find(method, _known.ResponseUpdateAttribute);
                if (updates is not null)
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.UpdateOnStream, AttributeLocation(updates, cancellationToken) ?? methodLocation, method.Name));
                Register(streamIds, DiagnosticDescriptors.DuplicateStreamId, streamNames);

                if (returnKind is { } streamReturn && parameters is { } streamParameters)
                {
                    streams.Add(new StreamModel(
                        name, method.Name, id, streamParameters.Body, streamParameters.CancellationToken, streamParameters.CancellationTokenHasDefault,
                        streamReturn, documentation, hidden));
                }

                return;
            }

            Register(serviceIds, DiagnosticDescriptors.DuplicateServiceId, serviceNames);

            var requestUpdates = ParseUpdates(method, name, _known.RequestUpdateAttribute, DiagnosticDescriptors.DuplicateRequestUpdateId, "request update");
            var responseUpdates = ParseUpdates(method, name, _known.ResponseUpdateAttribute, DiagnosticDescriptors.DuplicateResponseUpdateId, "response update");

            if (returnKind is { } serviceReturn && parameters is { } serviceParameters)
            {
                services.Add(new ServiceModel(
                    name, method.Name, id, serviceParameters.Body, serviceParameters.CancellationToken, serviceParameters.CancellationTokenHasDefault,
                    serviceReturn, responseType?.ToDisplayString(TypeFormat), responseType?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                    documentation, hidden, requestUpdates, responseUpdates, responseType is not null && IsNullable(responseType)));
            }
        }

        EquatableArray<UpdateModel> ParseUpdates(IMethodSymbol method, string serviceName, INamedTypeSymbol? attributeClass, DiagnosticDescriptor duplicateId, string kind)
        {
            var isResponse = KnownTypeSymbols.Is(attributeClass, _known.ResponseUpdateAttribute);
            var union = serviceName + (isResponse ? "ResponseUpdate" : "RequestUpdate");
            var updates = new List<UpdateModel>();
            var ids = new HashSet<int>();
            var names = new HashSet<string>();
            foreach (var attribute in method.GetAttributes())
            {
                if (!KnownTypeSymbols.Is(attribute.AttributeClass, attributeClass)
                    || attribute.ConstructorArguments.Length != 2
                    || attribute.ConstructorArguments[0].Value is not int id
                    || attribute.ConstructorArguments[1].Value is not ITypeSymbol bodyType
                    || bodyType.TypeKind == TypeKind.Error)
                {
                    continue; // the compiler reports the malformed attribute
                }

                var location = AttributeLocation(attribute, cancellationToken);
                var name = NamedString(attribute, "Name") ?? bodyType.Name;
                if (!ids.Add(id))
                    diagnostics.Add(Diagnostic(duplicateId, location, id.ToString(System.Globalization.CultureInfo.InvariantCulture), method.Name));
                if (!SyntaxFacts.IsValidIdentifier(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.InvalidName, location, name, method.Name));
                else if (name == "Unknown")
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.ReservedName, location, name, method.Name));
                else if (CaseMember(name) is { } member)
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicateName, location, name, method.Name, member));
                else if (name == union)
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicateName, location, name, method.Name, $"the generated union '{union}' it would be a case of"));
                else if (!names.Add(name))
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicateUpdateName, location, kind, name, method.Name));
                if (isResponse)
                    responseUpdateNames.Add((name, method.Name, location));
                var typeLocation = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments: { Count: >= 2 } attributeArguments }
                    ? LocationInfo.From(attributeArguments[1])
                    : location;
                formatters.AddBody(bodyType, typeLocation, $"the {kind} '{name}' of '{method.Name}'");
                var type = bodyType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                updates.Add(new UpdateModel(id, name, type, type));
            }

            return new EquatableArray<UpdateModel>(updates);
        }

        ReturnKind? ParseReturnType(IMethodSymbol method, bool isStream, LocationInfo? location, out ITypeSymbol? responseType)
        {
            responseType = null;
            if (method.ReturnType is INamedTypeSymbol returnType)
            {
                var definition = returnType.OriginalDefinition;
                if (KnownTypeSymbols.Is(returnType, _known.Task))
                    return ReturnKind.Task;
                if (KnownTypeSymbols.Is(returnType, _known.ValueTask))
                    return ReturnKind.ValueTask;
                var kind = KnownTypeSymbols.Is(definition, _known.TaskOfT) ? ReturnKind.Task
                    : KnownTypeSymbols.Is(definition, _known.ValueTaskOfT) ? ReturnKind.ValueTask
                    : (ReturnKind?)null;
                if (kind is not null && !isStream)
                {
                    responseType = returnType.TypeArguments[0];
                    var typeLocation = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax
                    {
                        ReturnType: GenericNameSyntax { TypeArgumentList.Arguments: { Count: 1 } typeArguments },
                    }
                        ? LocationInfo.From(typeArguments[0])
                        : location;
                    formatters.AddBody(responseType, typeLocation, $"the response of '{method.Name}'");
                    return kind;
                }
            }

            var expected = isStream
                ? "a stream returns Task or ValueTask"
                : "a service returns Task, Task<T>, ValueTask or ValueTask<T>";
            diagnostics.Add(Diagnostic(
                DiagnosticDescriptors.UnsupportedReturnType, location, isStream ? "stream" : "service", method.Name,
                method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), expected));
            return null;
        }

        ParsedParameters? ParseParameters(IMethodSymbol method, bool isStream, MethodDeclarationSyntax? methodSyntax)
        {
            BodyParameter? body = null;
            string? token = null;
            var tokenHasDefault = false;
            var valid = true;
            for (var i = 0; i < method.Parameters.Length; i++)
            {
                var parameter = method.Parameters[i];
                var location = methodSyntax is not null && i < methodSyntax.ParameterList.Parameters.Count
                    ? LocationInfo.From(methodSyntax.ParameterList.Parameters[i].Identifier)
                    : LocationInfo.From(parameter.Locations.FirstOrDefault());
                string? problem = null;
                if (parameter.RefKind != RefKind.None || parameter.IsParams)
                    problem = "ref, out, in and params parameters cannot cross the wire";
                else if (KnownTypeSymbols.Is(parameter.Type, _known.CancellationToken))
                {
                    if (i != method.Parameters.Length - 1)
                        problem = "a CancellationToken must be the last parameter";
                    else
                    {
                        token = parameter.Name;
                        tokenHasDefault = parameter.HasExplicitDefaultValue;
                    }
                }
                else if (body is not null)
                {
                    problem = isStream
                        ? "a stream carries one value"
                        : "a request carries one body: group the values in one type";
                }
                else
                {
                    var typeLocation = methodSyntax is not null && i < methodSyntax.ParameterList.Parameters.Count && methodSyntax.ParameterList.Parameters[i].Type is { } typeSyntax
                        ? LocationInfo.From(typeSyntax)
                        : location;
                    formatters.AddBody(parameter.Type, typeLocation, isStream ? $"the value of '{method.Name}'" : $"the request of '{method.Name}'");
                    body = new BodyParameter(
                        parameter.Type.ToDisplayString(TypeFormat),
                        parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                        parameter.Name,
                        parameter.HasExplicitDefaultValue,
                        IsNullable(parameter.Type));
                }

                if (problem is not null)
                {
                    diagnostics.Add(Diagnostic(DiagnosticDescriptors.UnsupportedParameter, location, parameter.Name, method.Name, problem));
                    valid = false;
                }
            }

            return valid ? new ParsedParameters(body, token, tokenHasDefault) : null;
        }
    }

    /// <summary>The static members and nested types generated into the interface (per-service unions aside).</summary>
    private static readonly string[] InterfaceMembers =
    {
        "Info", "DefaultFormat", "MessagePackResolver", "StreamMessage", "DecodeStreamMessage", "Incoming", "DecodeIncoming",
        "ReceiveAsync", "Client", "ServerBase",
    };

    /// <summary>What the server base generates that a service's context or a stream's handler of this name would clash with.</summary>
    private static string? GeneratedMember(string name, bool isStream) => (name, isStream) switch
    {
        ("Stream", false) => "the stream handlers' StreamContext",
        ("StreamMessage", true) => "the generated union 'StreamMessage' it would be a case of",
        (_, true) when CaseMember(name) is { } member => member,
        ("UnknownStream", true) => "OnUnknownStreamAsync",
        ("InvalidStream", true) => "OnInvalidStreamAsync",
        _ => null,
    };

    /// <summary>The members of the union cases (a case's Value, Unknown's ServiceId and Body, Invalid's Error) a case of this name would clash with.</summary>
    private static string? CaseMember(string name) =>
        name is "Value" or "ServiceId" or "Body" or "Error" ? $"the member '{name}' of the union's cases" : null;

    private sealed record ParsedParameters(BodyParameter? Body, string? CancellationToken, bool CancellationTokenHasDefault);

    private static DiagnosticInfo Diagnostic(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor, location, new EquatableArray<string>(arguments));

    private static bool IsGenericOrInGeneric(INamedTypeSymbol symbol)
    {
        for (var type = symbol; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType)
                return true;
        }

        return false;
    }

    /// <summary>Whether a body type accepts "no body": annotated nullable (<c>T?</c>), a reference or a value type.</summary>
    private static bool IsNullable(ITypeSymbol type) =>
        type.NullableAnnotation == NullableAnnotation.Annotated || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;

    /// <summary>The keyword that re-opens a containing type's partial declaration.</summary>
    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, IsValueType: true } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string? NamedString(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is string value && value.Length > 0)
                return value;
        }

        return null;
    }

    private static LocationInfo? AttributeLocation(AttributeData attribute, CancellationToken cancellationToken) =>
        LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));

    private static LocationInfo? MemberLocation(ISymbol member, CancellationToken cancellationToken) =>
        member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) switch
        {
            PropertyDeclarationSyntax property => LocationInfo.From(property.Identifier),
            EventDeclarationSyntax @event => LocationInfo.From(@event.Identifier),
            VariableDeclaratorSyntax variable => LocationInfo.From(variable.Identifier),
            IndexerDeclarationSyntax indexer => LocationInfo.From(indexer.ThisKeyword),
            _ => LocationInfo.From(member.Locations.FirstOrDefault()),
        };

    /// <summary>"ICamera" gives "Camera"; a name that does not start with I + capital letter stays as it is.</summary>
    private static string TypePrefix(string interfaceName) =>
        interfaceName.Length > 1 && interfaceName[0] == 'I' && char.IsUpper(interfaceName[1]) ? interfaceName.Substring(1) : interfaceName;

    /// <summary>"RecordAsync" gives "Record".</summary>
    private static string ServiceName(string methodName) =>
        methodName.Length > 5 && methodName.EndsWith("Async", System.StringComparison.Ordinal)
            ? methodName.Substring(0, methodName.Length - 5)
            : methodName;

    private static string HintName(INamedTypeSymbol symbol)
    {
        var name = symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty);
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
            text.Append(char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        return text.ToString();
    }

    /// <summary>
    /// The summary of a symbol's documentation comment, read from the syntax so it works whether or not the project
    /// builds documentation (without it, the compiler does not parse doc comments and the symbol reports none).
    /// </summary>
    private static string? Documentation(ISymbol symbol, CancellationToken cancellationToken)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            var node = reference.GetSyntax(cancellationToken);
            var lines = new StringBuilder();
            foreach (var trivia in node.GetLeadingTrivia())
            {
                if (trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) || trivia.IsKind(SyntaxKind.SingleLineCommentTrivia))
                {
                    foreach (var line in trivia.ToFullString().Split('\n'))
                    {
                        var trimmed = line.Trim();
                        if (trimmed.StartsWith("///", System.StringComparison.Ordinal))
                            lines.Append(trimmed.Substring(3)).Append('\n');
                    }
                }
            }

            if (lines.Length > 0 && Summary(lines.ToString()) is { } summary)
                return summary;
        }

        return null;
    }

    private static string? Summary(string xml)
    {
        XElement root;
        try
        {
            root = XElement.Parse("<doc>" + xml + "</doc>", LoadOptions.None);
        }
        catch (XmlException)
        {
            return null;
        }

        var summary = root.Element("summary");
        if (summary is null)
            return null;
        var text = new StringBuilder();
        AppendText(summary, text);
        var collapsed = string.Join(" ", text.ToString().Split(new[] { ' ', '\t', '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries));
        return collapsed.Length == 0 ? null : collapsed;
    }

    private static void AppendText(XElement element, StringBuilder text)
    {
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText content:
                    text.Append(content.Value);
                    break;
                case XElement child when child.Attribute("cref") is { } cref:
                    var name = cref.Value;
                    var colon = name.IndexOf(':');
                    text.Append(colon >= 0 ? name.Substring(colon + 1) : name);
                    break;
                case XElement child when child.Attribute("langword") is { } langword:
                    text.Append(langword.Value);
                    break;
                case XElement child when child.Attribute("name") is { } paramName && !child.Nodes().Any():
                    text.Append(paramName.Value);
                    break;
                case XElement child:
                    AppendText(child, text);
                    break;
            }
        }
    }
}
