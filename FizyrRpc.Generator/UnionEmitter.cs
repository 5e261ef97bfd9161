using FizyrRpc.Generator.Model;
using static FizyrRpc.Generator.Emitter;

namespace FizyrRpc.Generator;

/// <summary>
/// Emits the closed unions nested in the interface, one per file: a service's request updates and response updates,
/// and the interface's stream messages, each with its decoder as a static method of the interface.
/// </summary>
internal static class UnionEmitter
{
    /// <summary>A service's request updates (<paramref name="request"/>) or response updates, and their decoder.</summary>
    public static void EmitUpdates(SourceWriter writer, ServiceModel service, Names names, bool request)
    {
        var (kind, who, updates, union) = request
            ? ("Request", "requester", service.RequestUpdates, names.RequestUnion(service))
            : ("Response", "responder", service.ResponseUpdates, names.ResponseUnion(service));
        EmitUnion(
            writer, service.Name + kind + "Update", $"The updates the {who} may send on a {Xml(service.Name)} request.",
            "update", updates, Describe, hasInvalid: false);
        writer.Line();
        EmitDecoder(writer, union, "Decode" + service.Name + kind + "Update", $"a {kind.ToLowerInvariant()} update of {Xml(service.Name)}", updates, Describe, hasInvalid: false);
    }

    public static void EmitStreams(SourceWriter writer, InterfaceModel model, Names names)
    {
        EmitUnion(
            writer, "StreamMessage", $"The stream messages of the {Xml(model.ServiceName)} interface.",
            "stream message", model.Streams, DescribeStream, hasInvalid: true);
        writer.Line();
        EmitDecoder(writer, names.StreamUnion, "DecodeStreamMessage", "a stream message", model.Streams, DescribeStream, hasInvalid: true);
    }

    // An update's body type comes from typeof, which carries no nullable annotation: only Nullable<T> accepts no body.
    private static (string Name, int Id, string? Type, bool Nullable) Describe(UpdateModel update) => (update.Name, update.Id, update.BodyType, false);

    private static (string Name, int Id, string? Type, bool Nullable) DescribeStream(StreamModel stream) =>
        (stream.Name, stream.Id, stream.Value?.Type, stream.Value?.Nullable ?? false);

    private static void EmitUnion<T>(
        SourceWriter writer,
        string unionName,
        string summary,
        string kind,
        EquatableArray<T> cases,
        System.Func<T, (string Name, int Id, string? Type, bool Nullable)> describe,
        bool hasInvalid)
        where T : System.IEquatable<T>
    {
        writer.Line(hasInvalid
            ? $"/// <summary>{summary} Switch on the cases; <see cref=\"Unknown\"/> carries IDs the interface does not declare, <see cref=\"Invalid\"/> bodies that do not decode.</summary>"
            : $"/// <summary>{summary} Switch on the cases; <see cref=\"Unknown\"/> carries IDs the interface does not declare.</summary>");
        writer.Line(GeneratedCode);
        writer.Open($"public abstract record {unionName}");
        writer.Open($"private {unionName}()");
        writer.Close();
        foreach (var item in cases)
        {
            var (name, id, type, _) = describe(item);
            writer.Line();
            writer.Line($"/// <summary>The {Xml(name)} {kind} (ID {Int(id)}).</summary>");
            if (type is null)
            {
                writer.Line($"public sealed record {name}() : {unionName};");
            }
            else
            {
                writer.Line("/// <param name=\"Value\">Its body.</param>");
                writer.Line($"public sealed record {name}({type} Value) : {unionName};");
            }
        }

        writer.Line();
        writer.Line($"/// <summary>{Article(kind)} {kind} with an ID the interface does not declare.</summary>");
        writer.Line("/// <param name=\"ServiceId\">Its service ID.</param>");
        writer.Line("/// <param name=\"Body\">Its body as it came (a copy).</param>");
        writer.Line($"public sealed record Unknown(int ServiceId, global::System.ReadOnlyMemory<byte> Body) : {unionName};");
        if (hasInvalid)
        {
            writer.Line();
            writer.Line($"/// <summary>{Article(kind)} {kind} with a declared ID whose body does not decode; the next one is read as usual.</summary>");
            writer.Line("/// <param name=\"ServiceId\">Its service ID.</param>");
            writer.Line("/// <param name=\"Body\">Its body as it came (a copy).</param>");
            writer.Line("/// <param name=\"Error\">Why the body does not decode.</param>");
            writer.Line($"public sealed record Invalid(int ServiceId, global::System.ReadOnlyMemory<byte> Body, global::FizyrRpc.RpcFormatException Error) : {unionName};");
        }

        writer.Close();
    }

    private static void EmitDecoder<T>(
        SourceWriter writer,
        string union,
        string methodName,
        string what,
        EquatableArray<T> cases,
        System.Func<T, (string Name, int Id, string? Type, bool Nullable)> describe,
        bool hasInvalid)
        where T : System.IEquatable<T>
    {
        writer.Line(hasInvalid
            ? $"/// <summary>Decodes {what}; an undeclared ID gives <see cref=\"{union}.Unknown\"/>, a body that does not decode <see cref=\"{union}.Invalid\"/>.</summary>"
            : $"/// <summary>Decodes {what}; an undeclared ID gives <see cref=\"{union}.Unknown\"/>.</summary>");
        writer.Line("/// <typeparam name=\"TBody\">The body type of the transport.</typeparam>");
        writer.Line("/// <param name=\"format\">The format of the body.</param>");
        writer.Line("/// <param name=\"message\">The message.</param>");
        writer.Line("/// <returns>The typed message.</returns>");
        if (!hasInvalid)
            writer.Line("/// <exception cref=\"global::FizyrRpc.RpcFormatException\">The body is not valid for the declared type.</exception>");
        writer.Line(GeneratedCode);
        writer.Line($"public static {union} {methodName}<TBody>({Format} format, global::FizyrRpc.Message<TBody> message)");
        writer.Indent();
        writer.Line(BodyConstraint);
        writer.Unindent();
        writer.OpenBrace();
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(format);");
        if (hasInvalid)
            writer.Open("try");
        writer.Open("switch (message.ServiceId)");
        foreach (var item in cases)
        {
            var (name, id, type, nullable) = describe(item);
            writer.Line($"case {Int(id)}:");
            writer.Indent();
            writer.Line(type is null
                ? $"return new {union}.{name}();"
                : $"return new {union}.{name}(format.Decode<{type}>(message.Body.Data, {Nullable(nullable)}));");
            writer.Unindent();
        }

        writer.Line("default:");
        writer.Indent();
        writer.Line($"return new {union}.Unknown(message.ServiceId, message.Body.Data.ToArray());");
        writer.Unindent();
        writer.Close();
        if (hasInvalid)
        {
            writer.Close();
            writer.Open("catch (global::FizyrRpc.RpcFormatException error)");
            writer.Line($"return new {union}.Invalid(message.ServiceId, message.Body.Data.ToArray(), error);");
            writer.Close();
        }

        writer.Close();
    }
}
