namespace FizyrRpc.Generator.Model;

/// <summary>What the parser gives for one interface: the model (null when an error stops generation) and its diagnostics.</summary>
internal sealed record Result(InterfaceModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
