using Microsoft.CodeAnalysis;

namespace FizyrRpc.Generator.Model;

/// <summary>A diagnostic as equatable values (descriptor, location, message arguments), rebuilt when reported.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic()
    {
        var arguments = new object[Arguments.Count];
        for (var i = 0; i < arguments.Length; i++)
            arguments[i] = Arguments[i];
        return Diagnostic.Create(Descriptor, Location?.ToLocation(), arguments);
    }
}
