namespace FizyrRpc.Generator.Model;

/// <summary>
/// How one value (a body, a member or a collection element) is written and read: inline through the MessagePack
/// writer and reader (<see cref="Primitive"/>), or through a generated formatter (<see cref="Formatter"/>).
/// </summary>
/// <param name="Type">The C# type, fully qualified, without a nullable reference annotation.</param>
/// <param name="IsValueType">Whether the type is a value type.</param>
/// <param name="AllowsNil">Whether nil is a valid value: a reference annotated <c>T?</c> (or oblivious), or <c>Nullable&lt;T&gt;</c>.</param>
/// <param name="Primitive">The reader/writer form of a primitive ("Int32", "String", "Bytes", ...), or null.</param>
/// <param name="Formatter">The generated formatter class, or null for a primitive or a <c>Nullable&lt;T&gt;</c>.</param>
/// <param name="Underlying">For <c>Nullable&lt;T&gt;</c>: how its value is written and read.</param>
internal sealed record ValueModel(string Type, bool IsValueType, bool AllowsNil, string? Primitive, string? Formatter, ValueModel? Underlying);

/// <summary>What a generated formatter does.</summary>
internal enum ShapeKind
{
    /// <summary>A body that is a primitive or a <c>Nullable&lt;T&gt;</c>: the formatter wraps <see cref="ShapeModel.Element"/>.</summary>
    Wrapper,

    /// <summary>An enum, as its underlying integer (MessagePack-CSharp's layout).</summary>
    Enum,

    /// <summary>A one-dimensional array.</summary>
    Array,

    /// <summary>A list: <c>List&lt;T&gt;</c> or a list interface (read into a <c>List&lt;T&gt;</c>).</summary>
    List,

    /// <summary>A dictionary: <c>Dictionary&lt;K, V&gt;</c> or a dictionary interface (read into a <c>Dictionary&lt;K, V&gt;</c>).</summary>
    Dictionary,

    /// <summary>A class, record or struct, as an array of its members (or a map, for string keys).</summary>
    Object,

    /// <summary>A type with <c>[MessagePackFormatter]</c>: its own formatter does the work.</summary>
    Custom,
}

/// <summary>One generated formatter.</summary>
/// <param name="Name">The formatter class name, unique within the interface.</param>
/// <param name="Type">The type it formats, fully qualified.</param>
/// <param name="Kind">What it does.</param>
/// <param name="Element">Wrapper: the value; Array/List: the element; Dictionary: the value.</param>
/// <param name="Key">Dictionary: the key.</param>
/// <param name="Construct">List/Dictionary: the type to create when reading; Custom: the user's formatter type; Enum: the underlying reader form.</param>
/// <param name="Object">Object: the members and how the object is built.</param>
internal sealed record ShapeModel(string Name, string Type, ShapeKind Kind, ValueModel? Element, ValueModel? Key, string? Construct, ObjectModel? Object);

/// <summary>How a class, record or struct is laid out and built.</summary>
/// <param name="IsValueType">Whether it is a struct (never nil).</param>
/// <param name="Layout">Array (members by index) or Map (members by string key).</param>
/// <param name="Plain">Whether the type carries no MessagePack contract: an array layout that also reads a map by member name.</param>
/// <param name="ArrayLength">Array layout: the number of elements written (the highest index + 1).</param>
/// <param name="Members">The members, in write order.</param>
internal sealed record ObjectModel(bool IsValueType, ObjectLayout Layout, bool Plain, int ArrayLength, EquatableArray<MemberModel> Members);

/// <summary>How an object is written.</summary>
internal enum ObjectLayout
{
    Array,
    Map,
}

/// <summary>One member of an object.</summary>
/// <param name="Name">The C# member name.</param>
/// <param name="Index">Array layout: its index.</param>
/// <param name="Keys">The map keys it is read from (the first is written); Plain: its name and its snake_case name.</param>
/// <param name="Value">How its value is written and read.</param>
/// <param name="Assign">How it is set when reading: by a constructor argument, an initializer, or not at all (write-only).</param>
/// <param name="ConstructorPosition">By constructor: the parameter position.</param>
internal sealed record MemberModel(string Name, int Index, EquatableArray<string> Keys, ValueModel Value, MemberAssign Assign, int ConstructorPosition);

/// <summary>How a member is set when an object is read.</summary>
internal enum MemberAssign
{
    Constructor,
    Initializer,
    None,
}

/// <summary>A body type and its formatter: one entry of the generated resolver.</summary>
internal sealed record BodyFormatterModel(string Type, string Formatter);
