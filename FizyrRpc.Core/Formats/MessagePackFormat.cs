using System.Buffers;
using System.CodeDom.Compiler;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using MessagePack;

namespace FizyrRpc;

/// <summary>
/// MessagePack bodies (the default format). Received bodies are read with MessagePack's untrusted-data security
/// settings (depth limits, hash-collision-resistant collections). "No body" is nil.
/// </summary>
/// <remarks>
/// Values go straight through the formatter the options' resolver gives, never through MessagePack's dynamic
/// resolvers unless the options name them: with a generated resolver (every <c>[RpcService]</c> interface's
/// <c>DefaultFormat</c>) the format needs no dynamic code and runs under Native AOT.
/// </remarks>
public sealed class MessagePackFormat : IRpcFormat
{
    private static readonly byte[] Nil = [0xc0];

    // Whether byte[] bodies are MessagePack's bin (or nil), which Decode then reads itself: 0 not asked yet, 1 yes, 2 no.
    private int _builtInBytes;

    /// <summary>Creates the format with <paramref name="options"/>; untrusted-data security is always applied.</summary>
    /// <param name="options">
    /// The serializer options: their resolver gives the formatters. Compression (<see cref="MessagePackSerializerOptions.Compression"/>)
    /// goes through MessagePack's own serializer, which needs dynamic code.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="PlatformNotSupportedException">Compression was asked for where there is no dynamic code (Native AOT).</exception>
    public MessagePackFormat(MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.WithSecurity(MessagePackSecurity.UntrustedData);
        if (Options.Compression != MessagePackCompression.None && !RuntimeFeature.IsDynamicCodeSupported)
            throw new PlatformNotSupportedException("MessagePack compression needs dynamic code, which Native AOT does not have.");
    }

    /// <summary>
    /// The format with MessagePack's standard resolver (types with <c>[MessagePackObject]</c>, through dynamic code) and
    /// untrusted-data security. Generated clients and servers use their interface's <c>DefaultFormat</c> instead.
    /// </summary>
    public static MessagePackFormat Default
    {
        [RequiresDynamicCode("MessagePack's standard resolver generates formatters at run time: use an [RpcService] interface's generated DefaultFormat.")]
        [RequiresUnreferencedCode("MessagePack's standard resolver reflects over the body types: use an [RpcService] interface's generated DefaultFormat.")]
        get => Standard.Instance;
    }

    /// <summary>The serializer options in use.</summary>
    public MessagePackSerializerOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "msgpack";

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> NoBody => Nil;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Encode<T>(T value)
    {
        // The feature check stays written out in each branch: Native AOT trims the compressed path only where it sees it.
        if (Options.Compression != MessagePackCompression.None && RuntimeFeature.IsDynamicCodeSupported)
            return EncodeCompressed(value);
        var buffer = new ArrayBufferWriter<byte>();
        EncodeTo(buffer, value);
        return buffer.WrittenMemory;
    }

    /// <summary>Whether bodies go through MessagePack's compressing serializer (which makes its own arrays).</summary>
    internal bool Compresses => Options.Compression != MessagePackCompression.None && RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Encodes <paramref name="value"/> into <paramref name="buffer"/> (no compression: see <see cref="Compresses"/>).</summary>
    /// <exception cref="RpcFormatException">The value cannot be encoded.</exception>
    internal void EncodeTo<T>(IBufferWriter<byte> buffer, T value)
    {
        try
        {
            var writer = new MessagePackWriter(buffer);
            Formatter<T>().Serialize(ref writer, value, Options);
            writer.Flush();
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw EncodeError<T>(error);
        }
    }

    private ReadOnlyMemory<byte> EncodeCompressed<T>(T value)
    {
        try
        {
            return Compressed.Serialize(value, Options);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw EncodeError<T>(error);
        }
    }

    private static RpcFormatException EncodeError<T>(Exception error) =>
        new($"Cannot encode a {typeof(T).Name} as MessagePack: {error.Message}", typeof(T), AsSerializationError<T>(error));

    /// <inheritdoc/>
    public T Decode<T>(ReadOnlyMemory<byte> body, bool nullable)
    {
        if (body.IsEmpty || body.Span is [0xc0])
            return NoBodyRule.Accept<T>(nullable, body.IsEmpty ? "empty" : "nil");
        try
        {
            if (Options.Compression != MessagePackCompression.None && RuntimeFeature.IsDynamicCodeSupported)
                return Compressed.Deserialize<T>(body, Options);
            var reader = new MessagePackReader(body);
            var value = typeof(T) == typeof(byte[]) && BuiltInBytes() ? (T)(object)ReadBytes(ref reader)! : Formatter<T>().Deserialize(ref reader, Options);
            if (!reader.End)
                throw new MessagePackSerializationException($"{body.Length - reader.Consumed} bytes follow the value");
            // A value the formatter read as null (a nil inside a longer body) obeys the same rule as a lone nil.
            return value is null ? NoBodyRule.Accept<T>(nullable, "nil") : value;
        }
        catch (Exception error) when (error is not OutOfMemoryException and not RpcFormatException)
        {
            throw new RpcFormatException($"The body is not a valid MessagePack {typeof(T).Name}: {error.Message}", typeof(T), AsSerializationError<T>(error));
        }
    }

    /// <inheritdoc/>
    public string Describe(Type type) => FormatNames.Describe(type);

    // Asked once per format: MessagePack's own byte[] formatter, or a resolver the generator made (its byte[] bodies are
    // read as MessagePack's are: a bin, or nil), and not a resolver that gives byte[] a meaning of its own.
    private bool BuiltInBytes()
    {
        if (_builtInBytes == 0)
        {
            var generated = Options.Resolver.GetType().GetCustomAttribute<GeneratedCodeAttribute>()?.Tool == "FizyrRpc.Generator";
            _builtInBytes = generated || Formatter<byte[]>() is MessagePack.Formatters.ByteArrayFormatter ? 1 : 2;
        }

        return _builtInBytes == 1;
    }

    // What MessagePack's byte[] formatter reads (a bin, or nil), into an array the collector does not clear first: its
    // copy of a large body writes every byte anyway, and clearing it would touch each page twice.
    private static byte[]? ReadBytes(ref MessagePackReader reader)
    {
        if (reader.ReadBytes() is not { } bytes)
            return null;
        var array = bytes.IsEmpty ? [] : GC.AllocateUninitializedArray<byte>(checked((int)bytes.Length));
        bytes.CopyTo(array);
        return array;
    }

    private MessagePack.Formatters.IMessagePackFormatter<T> Formatter<T>() =>
        Options.Resolver.GetFormatter<T>()
        ?? throw new FormatterNotRegisteredException($"{typeof(T).FullName} has no formatter in the resolver {Options.Resolver.GetType().Name}.");

    /// <summary>What failed, as MessagePack's serializer reports it: a MessagePackSerializationException (truncated input too).</summary>
    private static MessagePackSerializationException AsSerializationError<T>(Exception error) =>
        error as MessagePackSerializationException ?? new MessagePackSerializationException($"Failed to read or write a {typeof(T).FullName}.", error);

    /// <summary>Compressed bodies, through MessagePack's serializer; never reached where dynamic code is not supported.</summary>
    private static class Compressed
    {
        public static ReadOnlyMemory<byte> Serialize<T>(T value, MessagePackSerializerOptions options) => MessagePackSerializer.Serialize(value, options);

        public static T Deserialize<T>(ReadOnlyMemory<byte> body, MessagePackSerializerOptions options) => MessagePackSerializer.Deserialize<T>(body, options);
    }

    /// <summary>Made on first use of <see cref="Default"/> only: MessagePack's standard resolver is not touched otherwise.</summary>
    private static class Standard
    {
        public static readonly MessagePackFormat Instance = new(MessagePackSerializerOptions.Standard);
    }
}
