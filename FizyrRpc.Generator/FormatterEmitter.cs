using System.Collections.Generic;
using System.Linq;
using FizyrRpc.Generator.Model;

namespace FizyrRpc.Generator;

/// <summary>
/// Emits the MessagePack side of an interface, nested in it: a formatter per body type and per type they contain, a
/// resolver over them, and <c>DefaultFormat</c>, the format its client and server use unless given another.
/// Everything is decided at compile time: no dynamic code, no reflection, so it runs under Native AOT.
/// </summary>
internal static class FormatterEmitter
{
    private const string Writer = "ref global::MessagePack.MessagePackWriter writer";
    private const string Reader = "ref global::MessagePack.MessagePackReader reader";
    private const string Options = "global::MessagePack.MessagePackSerializerOptions options";
    private const string FormatterInterface = "global::MessagePack.Formatters.IMessagePackFormatter";
    private const string SerializationException = "global::MessagePack.MessagePackSerializationException";

    /// <summary>The interface's <c>DefaultFormat</c>: MessagePack over the generated resolver.</summary>
    public static void EmitDefaultFormat(SourceWriter writer)
    {
        writer.Line("/// <summary>");
        writer.Line("/// The MessagePack format of the interface's bodies, the default of its client and server: formatters generated at");
        writer.Line("/// compile time (no dynamic code, no reflection; Native AOT ready), untrusted-data security.");
        writer.Line("/// </summary>");
        writer.Line(Emitter.GeneratedCode);
        writer.Line("public static global::FizyrRpc.MessagePackFormat DefaultFormat { get; } =");
        writer.Indent();
        writer.Line("new global::FizyrRpc.MessagePackFormat(new global::MessagePack.MessagePackSerializerOptions(MessagePackResolver.Instance));");
        writer.Unindent();
    }

    /// <summary>The resolver with a formatter per type.</summary>
    public static void Emit(SourceWriter writer, InterfaceModel model)
    {
        writer.Line("/// <summary>");
        writer.Line("/// The generated MessagePack formatters of every body type of the interface. Plain types are arrays of their members");
        writer.Line("/// in declaration order (as rmp-serde's <c>to_vec</c> writes a Rust struct) and also read as maps by member name;");
        writer.Line("/// types with <c>[MessagePackObject]</c> keep their <c>[Key]</c> layout. Decoding is strict: nil for a member that is");
        writer.Line("/// not nullable, a missing member or a wrong type fails.");
        writer.Line("/// </summary>");
        writer.Line(Emitter.GeneratedCode);
        writer.Open("public sealed class MessagePackResolver : global::MessagePack.IFormatterResolver");
        writer.Line("private MessagePackResolver()");
        writer.OpenBrace();
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>The resolver.</summary>");
        writer.Line("public static MessagePackResolver Instance { get; } = new MessagePackResolver();");
        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Line($"public {FormatterInterface}<T>? GetFormatter<T>() => Cache<T>.Formatter;");
        writer.Line();
        writer.Open("private static object? Find(global::System.Type type)");
        foreach (var body in model.BodyFormatters)
        {
            writer.Line($"if (type == typeof({body.Type}))");
            writer.Indent();
            writer.Line($"return {body.Formatter}.Instance;");
            writer.Unindent();
        }

        writer.Line("return null;");
        writer.Close();
        writer.Line();
        writer.Line($"private static {SerializationException} Nil(string member) =>");
        writer.Indent();
        writer.Line($"new {SerializationException}(member + \" is nil, but its type is not nullable\");");
        writer.Unindent();
        writer.Line();
        writer.Line($"private static {SerializationException} Missing(string member) =>");
        writer.Indent();
        writer.Line($"new {SerializationException}(member + \" is missing, but its type is not nullable\");");
        writer.Unindent();
        writer.Line();
        writer.Open("private static class Cache<T>");
        writer.Line($"public static readonly {FormatterInterface}<T>? Formatter = ({FormatterInterface}<T>?)Find(typeof(T));");
        writer.Close();

        foreach (var shape in model.Formatters)
        {
            writer.Line();
            EmitShape(writer, shape);
        }

        writer.Close();
    }

    private static void EmitShape(SourceWriter writer, ShapeModel shape)
    {
        var isValueType = shape.Kind switch
        {
            ShapeKind.Enum => true,
            ShapeKind.Object => shape.Object!.IsValueType,
            ShapeKind.Wrapper or ShapeKind.Custom => shape.Element!.IsValueType,
            _ => false,
        };
        var type = isValueType || shape.Type.EndsWith("?", System.StringComparison.Ordinal) ? shape.Type : shape.Type + "?";
        writer.Open($"private sealed class {shape.Name} : {FormatterInterface}<{type}>");
        writer.Line($"public static readonly {shape.Name} Instance = new {shape.Name}();");
        if (shape.Kind == ShapeKind.Custom)
            writer.Line($"private static readonly {shape.Construct} Inner = new {shape.Construct}();");
        writer.Line();

        // Serialize.
        writer.Open($"public void Serialize({Writer}, {type} value, {Options})");
        if (!isValueType && shape.Kind is not ShapeKind.Wrapper and not ShapeKind.Custom)
        {
            writer.Open("if (value is null)");
            writer.Line("writer.WriteNil();");
            writer.Line("return;");
            writer.Close();
            writer.Line();
        }

        switch (shape.Kind)
        {
            case ShapeKind.Wrapper:
                Write(writer, shape.Element!, "value");
                break;
            case ShapeKind.Custom:
                writer.Line("Inner.Serialize(ref writer, value!, options);");
                break;
            case ShapeKind.Enum:
                writer.Line($"writer.Write(({Keyword(shape.Construct!)})value);");
                break;
            case ShapeKind.Array or ShapeKind.List:
                writer.Line($"writer.WriteArrayHeader(value.{(shape.Kind == ShapeKind.Array ? "Length" : "Count")});");
                writer.Line("foreach (var item in value)");
                writer.OpenBrace();
                Write(writer, shape.Element!, "item");
                writer.Close();
                break;
            case ShapeKind.Dictionary:
                writer.Line("writer.WriteMapHeader(value.Count);");
                writer.Line("foreach (var pair in value)");
                writer.OpenBrace();
                Write(writer, shape.Key!, "pair.Key");
                Write(writer, shape.Element!, "pair.Value");
                writer.Close();
                break;
            case ShapeKind.Object:
                SerializeObject(writer, shape.Object!);
                break;
        }

        writer.Close();
        writer.Line();

        // Deserialize.
        writer.Open($"public {type} Deserialize({Reader}, {Options})");
        switch (shape.Kind)
        {
            case ShapeKind.Wrapper:
                writer.Line($"{shape.Element!.Type}{(shape.Element.IsValueType ? string.Empty : "?")} result;");
                Read(writer, shape.Element, "result", "the body");
                writer.Line("return result;");
                break;
            case ShapeKind.Custom:
                writer.Line("return Inner.Deserialize(ref reader, options);");
                break;
            case ShapeKind.Enum:
                writer.Line($"return ({shape.Type})reader.Read{shape.Construct}();");
                break;
            default:
                if (isValueType)
                {
                    writer.Line("if (reader.TryReadNil())");
                    writer.Indent();
                    writer.Line($"throw Nil({Literal(Display(shape.Type))});");
                    writer.Unindent();
                }
                else
                {
                    writer.Line("if (reader.TryReadNil())");
                    writer.Indent();
                    writer.Line("return null;");
                    writer.Unindent();
                }

                writer.Line("options.Security.DepthStep(ref reader);");
                writer.Line("try");
                writer.OpenBrace();
                DeserializeBody(writer, shape);
                writer.Close();
                writer.Line("finally");
                writer.OpenBrace();
                writer.Line("reader.Depth--;");
                writer.Close();
                break;
        }

        writer.Close();
        writer.Close();
    }

    private static void DeserializeBody(SourceWriter writer, ShapeModel shape)
    {
        switch (shape.Kind)
        {
            case ShapeKind.Array:
                writer.Line("var count = reader.ReadArrayHeader();");
                writer.Line($"var result = new {ArrayCreation(shape.Element!, "count")};");
                writer.Line("for (var i = 0; i < count; i++)");
                writer.OpenBrace();
                Read(writer, shape.Element!, "result[i]", "an element of " + Display(shape.Type));
                writer.Close();
                writer.Line("return result;");
                break;
            case ShapeKind.List:
                writer.Line("var count = reader.ReadArrayHeader();");
                writer.Line($"var result = new {shape.Construct}(count);");
                writer.Line("for (var i = 0; i < count; i++)");
                writer.OpenBrace();
                writer.Line($"{Local(shape.Element!)} item;");
                Read(writer, shape.Element!, "item", "an element of " + Display(shape.Type));
                writer.Line($"result.Add(item{Bang(shape.Element!)});");
                writer.Close();
                writer.Line("return result;");
                break;
            case ShapeKind.Dictionary:
                writer.Line("var count = reader.ReadMapHeader();");
                writer.Line($"var result = new {shape.Construct}(count, options.Security.GetEqualityComparer<{shape.Key!.Type}>());");
                writer.Line("for (var i = 0; i < count; i++)");
                writer.OpenBrace();
                writer.Line($"{Local(shape.Key)} key;");
                Read(writer, shape.Key, "key", "a key of " + Display(shape.Type));
                writer.Line($"{Local(shape.Element!)} item;");
                Read(writer, shape.Element!, "item", "a value of " + Display(shape.Type));
                writer.Line($"result[key{Bang(shape.Key)}] = item{Bang(shape.Element!)};");
                writer.Close();
                writer.Line("return result;");
                break;
            case ShapeKind.Object:
                DeserializeObject(writer, shape);
                break;
        }
    }

    private static void SerializeObject(SourceWriter writer, ObjectModel model)
    {
        if (model.Layout == ObjectLayout.Map)
        {
            writer.Line($"writer.WriteMapHeader({Emitter.Int(model.Members.Count)});");
            foreach (var member in model.Members)
            {
                writer.Line($"writer.Write({Literal(member.Keys[0])});");
                Write(writer, member.Value, "value." + Identifier(member.Name));
            }

            return;
        }

        writer.Line($"writer.WriteArrayHeader({Emitter.Int(model.ArrayLength)});");
        for (var index = 0; index < model.ArrayLength; index++)
        {
            var member = model.Members.FirstOrDefault(m => m.Index == index);
            if (member is null)
                writer.Line("writer.WriteNil();");
            else
                Write(writer, member.Value, "value." + Identifier(member.Name));
        }
    }

    private static void DeserializeObject(SourceWriter writer, ShapeModel shape)
    {
        var model = shape.Object!;
        var members = model.Members;
        var owner = Display(shape.Type);
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].Assign == MemberAssign.None)
                continue;
            writer.Line($"{Local(members[i].Value)} m{Emitter.Int(i)} = default;");
            if (!members[i].Value.AllowsNil)
                writer.Line($"var has{Emitter.Int(i)} = false;");
        }

        void ReadMember(int i)
        {
            var member = members[i];
            if (member.Assign == MemberAssign.None)
            {
                writer.Line("reader.Skip();");
                return;
            }

            Read(writer, member.Value, "m" + Emitter.Int(i), owner + "." + member.Name);
            if (!member.Value.AllowsNil)
                writer.Line($"has{Emitter.Int(i)} = true;");
        }

        // A map by key or an array by index: read each entry, switch on its key or index, skip what no member claims.
        void ReadEntries(bool map)
        {
            writer.Line(map ? "var count = reader.ReadMapHeader();" : "var count = reader.ReadArrayHeader();");
            writer.Line("for (var i = 0; i < count; i++)");
            writer.OpenBrace();
            writer.Open(map ? "switch (reader.ReadString())" : "switch (i)");
            var claimed = new HashSet<string>(System.StringComparer.Ordinal);
            for (var i = 0; i < members.Count; i++)
            {
                var labels = map
                    ? members[i].Keys.Where(claimed.Add).Select(Literal).ToList()
                    : new[] { Emitter.Int(members[i].Index) }.Where(claimed.Add).ToList();
                if (labels.Count == 0)
                    continue;
                foreach (var label in labels)
                    writer.Line($"case {label}:");
                writer.Indent();
                ReadMember(i);
                writer.Line("break;");
                writer.Unindent();
            }

            writer.Line("default:");
            writer.Indent();
            writer.Line("reader.Skip();");
            writer.Line("break;");
            writer.Unindent();
            writer.Close();
            writer.Close();
        }

        if (model.Layout == ObjectLayout.Map)
        {
            ReadEntries(map: true);
        }
        else if (model.Plain)
        {
            // A plain type reads rmp-serde's to_vec_named map as well as its own array.
            writer.Line("if (reader.NextMessagePackType == global::MessagePack.MessagePackType.Map)");
            writer.OpenBrace();
            ReadEntries(map: true);
            writer.Close();
            writer.Line("else");
            writer.OpenBrace();
            ReadEntries(map: false);
            writer.Close();
        }
        else
        {
            ReadEntries(map: false);
        }



        for (var i = 0; i < members.Count; i++)
        {
            if (members[i].Assign == MemberAssign.None || members[i].Value.AllowsNil)
                continue;
            writer.Line($"if (!has{Emitter.Int(i)})");
            writer.Indent();
            writer.Line($"throw Missing({Literal(owner + "." + members[i].Name)});");
            writer.Unindent();
        }

        var arguments = Enumerable.Range(0, members.Count)
            .Where(i => members[i].Assign == MemberAssign.Constructor)
            .OrderBy(i => members[i].ConstructorPosition)
            .Select(i => "m" + Emitter.Int(i) + Bang(members[i].Value));
        var initializers = Enumerable.Range(0, members.Count)
            .Where(i => members[i].Assign == MemberAssign.Initializer)
            .Select(i => Identifier(members[i].Name) + " = m" + Emitter.Int(i) + Bang(members[i].Value))
            .ToList();
        var creation = $"new {shape.Type}({string.Join(", ", arguments)})";
        if (initializers.Count == 0)
        {
            writer.Line($"return {creation};");
            return;
        }

        writer.Line($"return {creation}");
        writer.OpenBrace();
        foreach (var initializer in initializers)
            writer.Line(initializer + ",");
        writer.Close(";");
    }

    /// <summary>Writes <paramref name="expression"/>, a value as <paramref name="value"/> describes it.</summary>
    private static void Write(SourceWriter writer, ValueModel value, string expression)
    {
        if (value.Underlying is { } underlying)
        {
            writer.Line($"if ({expression}.HasValue)");
            writer.Indent();
            Write(writer, underlying, expression + ".GetValueOrDefault()");
            writer.Unindent();
            writer.Line("else");
            writer.Indent();
            writer.Line("writer.WriteNil();");
            writer.Unindent();
            return;
        }

        if (value.Formatter is { } formatter)
        {
            writer.Line($"{formatter}.Instance.Serialize(ref writer, {expression}, options);");
            return;
        }

        writer.Line(value.Primitive switch
        {
            "Memory" => $"writer.Write({expression}.Span);",
            "Decimal" or "Guid" or "TimeSpan" or "DateTimeOffset" => $"{BuiltIn(value.Primitive)}.Serialize(ref writer, {expression}, options);",
            _ => $"writer.Write({expression});",
        });
    }

    /// <summary>Reads a value as <paramref name="value"/> describes it into <paramref name="target"/>; nil only where it allows nil.</summary>
    private static void Read(SourceWriter writer, ValueModel value, string target, string what)
    {
        if (value.IsValueType && value.Underlying is null)
        {
            writer.Line($"{target} = {ReadExpression(value)};");
            return;
        }

        writer.Line("if (reader.TryReadNil())");
        writer.Indent();
        writer.Line(value.AllowsNil ? $"{target} = null;" : $"throw Nil({Literal(what)});");
        writer.Unindent();
        writer.Line("else");
        writer.Indent();
        writer.Line($"{target} = {ReadExpression(value.Underlying ?? value)}{(value.IsValueType ? string.Empty : "!")};");
        writer.Unindent();
    }

    private static string ReadExpression(ValueModel value)
    {
        if (value.Formatter is { } formatter)
            return $"{formatter}.Instance.Deserialize(ref reader, options)";
        return value.Primitive switch
        {
            "String" => "reader.ReadString()",
            "Bytes" => "global::System.Buffers.BuffersExtensions.ToArray(reader.ReadBytes().GetValueOrDefault())",
            "Memory" => "new global::System.ReadOnlyMemory<byte>(global::System.Buffers.BuffersExtensions.ToArray(reader.ReadBytes().GetValueOrDefault()))",
            "Decimal" or "Guid" or "TimeSpan" or "DateTimeOffset" => $"{BuiltIn(value.Primitive)}.Deserialize(ref reader, options)",
            _ => $"reader.Read{value.Primitive}()",
        };
    }

    private static string BuiltIn(string primitive) => $"global::MessagePack.Formatters.{primitive}Formatter.Instance";

    /// <summary>A local that holds a value being read: a reference may be null until it is read.</summary>
    private static string Local(ValueModel value) => value.IsValueType ? value.Type : value.Type + "?";

    /// <summary>The null-forgiving operator where a read reference cannot be null (nil was refused).</summary>
    private static string Bang(ValueModel value) => value.IsValueType || value.AllowsNil ? string.Empty : "!";

    /// <summary>"new T[count]" for element type T, nullable annotation included, also when T is itself an array.</summary>
    private static string ArrayCreation(ValueModel element, string count)
    {
        var type = element.IsValueType || !element.AllowsNil ? element.Type : element.Type + "?";
        var bracket = type.IndexOf('[');
        return bracket < 0 ? $"{type}[{count}]" : $"{type.Substring(0, bracket)}[{count}]{type.Substring(bracket)}";
    }

    private static string Keyword(string primitive) => primitive switch
    {
        "Byte" => "byte",
        "SByte" => "sbyte",
        "Int16" => "short",
        "UInt16" => "ushort",
        "Int32" => "int",
        "UInt32" => "uint",
        "Int64" => "long",
        _ => "ulong",
    };

    /// <summary>The type as error messages show it: without "global::" and namespaces' noise kept short.</summary>
    private static string Display(string type) => type.Replace("global::", string.Empty);

    private static string Identifier(string name) => Emitter.Identifier(name);

    private static string Literal(string text) => Emitter.Literal(text);
}
