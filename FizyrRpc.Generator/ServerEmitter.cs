using FizyrRpc.Generator.Model;
using static FizyrRpc.Generator.Emitter;

namespace FizyrRpc.Generator;

/// <summary>
/// Emits the server base nested in the interface: <c>ServerBase&lt;TBody&gt;</c> for any transport (handlers, dispatch,
/// the per-service contexts and the stream context) and <c>ServerBase</c>, its form over <c>StreamBody</c>.
/// </summary>
internal static class ServerEmitter
{
    public static void Emit(SourceWriter writer, InterfaceModel model, Names names)
    {
        EmitGeneric(writer, model, names);
        writer.Line();
        writer.Line($"/// <summary>The base of a typed server of <see cref=\"{model.InterfaceType}\"/> over a byte stream (TCP, Unix stream sockets): <see cref=\"ServerBase{{TBody}}\"/> with <see cref=\"global::FizyrRpc.StreamBody\"/>.</summary>");
        writer.Line(GeneratedCode);
        writer.Open("public abstract class ServerBase : ServerBase<global::FizyrRpc.StreamBody>");
        writer.Line("/// <summary>Creates a server that reads and writes bodies in <paramref name=\"format\"/>.</summary>");
        writer.Line($"/// <param name=\"format\">The format of every body (<see cref=\"{names.Interface}.DefaultFormat\"/>, MessagePack, by default).</param>");
        writer.Line($"protected ServerBase({Format}? format = null)");
        writer.Indent();
        writer.Line(": base(format)");
        writer.Unindent();
        writer.OpenBrace();
        writer.Close();
        writer.Close();
    }

    private static void EmitGeneric(SourceWriter writer, InterfaceModel model, Names names)
    {
        const string server = "ServerBase";
        writer.Line($"/// <summary>");
        writer.Line($"/// The base of a typed server of <see cref=\"{model.InterfaceType}\"/>: override one handler per service. Unknown");
        writer.Line("/// services, undecodable bodies and handler exceptions become error responses; stream messages go to the virtual");
        writer.Line("/// stream handlers.");
        writer.Line("/// </summary>");
        writer.Line("/// <typeparam name=\"TBody\">The body type of the transport.</typeparam>");
        writer.Line(GeneratedCode);
        writer.Line($"public abstract class {server}<TBody> : global::FizyrRpc.RpcServerBase<TBody>");
        writer.Indent();
        writer.Line(BodyConstraint);
        writer.Unindent();
        writer.OpenBrace();
        writer.Line("/// <summary>Creates a server that reads and writes bodies in <paramref name=\"format\"/>.</summary>");
        writer.Line($"/// <param name=\"format\">The format of every body (<see cref=\"{names.Interface}.DefaultFormat\"/>, MessagePack, by default).</param>");
        writer.Line($"protected {server}({Format}? format = null)");
        writer.Indent();
        writer.Line($": base(format ?? {names.Interface}.DefaultFormat)");
        writer.Unindent();
        writer.OpenBrace();
        writer.Close();
        Emitter.EmitInterfaceInfo(writer, names);

        // Handlers.
        foreach (var service in model.Services)
        {
            writer.Line();
            var summary = service.Documentation is { } doc ? " " + Xml(doc) : string.Empty;
            writer.Line($"/// <summary>Handles the {Xml(service.Name)} service (ID {Int(service.Id)}).{summary}</summary>");
            if (service.Request is { } request)
                writer.Line($"/// <param name=\"{request.Name}\">The decoded request.</param>");
            var contextName = service.Request?.Name == "context" ? "requestContext" : "context";
            writer.Line($"/// <param name=\"{contextName}\">The request's context: updates, stream messages, cancellation.</param>");
            writer.Line(service.ResponseType is null ? "/// <returns>Completes when the request is handled.</returns>" : "/// <returns>The response.</returns>");
            var parameters = service.Request is { } r ? $"{r.Type} {Identifier(r.Name)}, {service.Name}Context {contextName}" : $"{service.Name}Context {contextName}";
            writer.Line($"protected abstract {ReturnType(service.ReturnKind, service.ResponseType)} {service.MethodName}({parameters});");
        }

        foreach (var stream in model.Streams)
        {
            writer.Line();
            var summary = stream.Documentation is { } doc ? " " + Xml(doc) : string.Empty;
            writer.Line($"/// <summary>Handles a {Xml(stream.Name)} stream message (ID {Int(stream.Id)}); ignores it by default.{summary}</summary>");
            if (stream.Value is not null)
                writer.Line("/// <param name=\"value\">The decoded body.</param>");
            writer.Line("/// <param name=\"context\">The connection: send stream messages back, and its cancellation token.</param>");
            writer.Line("/// <returns>Completes when the message is handled; the next message waits for it.</returns>");
            var parameters = stream.Value is { } value ? $"{value.Type} value, StreamContext context" : "StreamContext context";
            writer.Line($"protected virtual {ValueTask} On{stream.Name}Async({parameters}) => default;");
        }

        writer.Line();
        writer.Line("/// <summary>Handles a stream message with an ID the interface does not declare; ignores it by default.</summary>");
        writer.Line("/// <param name=\"stream\">The raw message; its body is released when this returns.</param>");
        writer.Line("/// <param name=\"context\">The connection: send stream messages back, and its cancellation token.</param>");
        writer.Line("/// <returns>Completes when the message is handled.</returns>");
        writer.Line($"protected virtual {ValueTask} OnUnknownStreamAsync(global::FizyrRpc.Message<TBody> stream, StreamContext context) => default;");
        writer.Line();
        writer.Line("/// <summary>Handles a declared stream message whose body does not decode; ignores it by default (override to log it).</summary>");
        writer.Line("/// <param name=\"stream\">The raw message; its body is released when this returns.</param>");
        writer.Line("/// <param name=\"error\">Why the body does not decode.</param>");
        writer.Line("/// <param name=\"context\">The connection: send stream messages back, and its cancellation token.</param>");
        writer.Line("/// <returns>Completes when the message is handled.</returns>");
        writer.Line($"protected virtual {ValueTask} OnInvalidStreamAsync(global::FizyrRpc.Message<TBody> stream, global::FizyrRpc.RpcFormatException error, StreamContext context) => default;");

        // Dispatch.
        writer.Line();
        writer.Line("/// <inheritdoc/>");
        // Pooled: a request whose handler completes later reuses a state machine instead of allocating one.
        writer.Line("[global::System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(global::System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]");
        writer.Open($"protected override async {ValueTask} DispatchAsync(global::FizyrRpc.RpcRequestContext<TBody> context)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(context);");
        writer.Open("switch (context.ServiceId)");
        foreach (var service in model.Services)
        {
            writer.Line($"case {Int(service.Id)}:");
            writer.OpenBrace();
            var arguments = $"new {service.Name}Context(context)";
            if (service.Request is { } request)
            {
                writer.Line($"var request = context.{DecodeRequest(request)};");
                arguments = "request, " + arguments;
            }

            if (service.ResponseType is null)
            {
                writer.Line($"await {service.MethodName}({arguments}).ConfigureAwait(false);");
                writer.Line("await context.RespondAsync().ConfigureAwait(false);");
            }
            else
            {
                writer.Line($"var response = await {service.MethodName}({arguments}).ConfigureAwait(false);");
                writer.Line("await context.RespondAsync(response).ConfigureAwait(false);");
            }

            writer.Line("return;");
            writer.Close();
        }

        writer.Line("default:");
        writer.Indent();
        writer.Line("await RespondUnknownServiceAsync(context).ConfigureAwait(false);");
        writer.Line("return;");
        writer.Unindent();
        writer.Close();
        writer.Close();

        // Streams.
        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Open($"protected override {ValueTask} OnStreamAsync(global::FizyrRpc.Message<TBody> stream, global::FizyrRpc.PeerWriteHandle<TBody> peer, {Token} cancellationToken)");
        writer.Line("var context = new StreamContext(peer, Format, cancellationToken);");
        writer.Open("switch (stream.ServiceId)");
        foreach (var stream in model.Streams)
        {
            writer.Line($"case {Int(stream.Id)}:");
            if (stream.Value is { } value)
            {
                writer.OpenBrace();
                writer.Line($"{value.Type} value;");
                writer.Open("try");
                writer.Line($"value = Format.Decode<{value.Type}>(stream.Body.Data, {Nullable(value.Nullable)});");
                writer.Close();
                writer.Open("catch (global::FizyrRpc.RpcFormatException error)");
                writer.Line("return OnInvalidStreamAsync(stream, error, context);");
                writer.Close();
                writer.Line();
                writer.Line($"return On{stream.Name}Async(value, context);");
                writer.Close();
            }
            else
            {
                writer.Indent();
                writer.Line($"return On{stream.Name}Async(context);");
                writer.Unindent();
            }
        }

        writer.Line("default:");
        writer.Indent();
        writer.Line("return OnUnknownStreamAsync(stream, context);");
        writer.Unindent();
        writer.Close();
        writer.Close();

        writer.Line();
        EmitStreamContext(writer, model);

        foreach (var service in model.Services)
        {
            writer.Line();
            EmitContext(writer, model, service, names);
        }

        writer.Close();
    }

    private static void EmitStreamContext(SourceWriter writer, InterfaceModel model)
    {
        writer.Line("/// <summary>The connection a stream message came on, as its handler sees it: send stream messages back, and its cancellation token.</summary>");
        writer.Open("public readonly struct StreamContext");
        writer.Line("/// <summary>Wraps the connection's write handle.</summary>");
        writer.Line("/// <param name=\"peer\">The connection's write handle.</param>");
        writer.Line("/// <param name=\"format\">The format of every body.</param>");
        writer.Line("/// <param name=\"cancellationToken\">Cancelled when the connection closes or the server stops.</param>");
        writer.Open($"public StreamContext(global::FizyrRpc.PeerWriteHandle<TBody> peer, {Format} format, {Token} cancellationToken)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(peer);");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(format);");
        writer.Line("Peer = peer;");
        writer.Line("Format = format;");
        writer.Line("CancellationToken = cancellationToken;");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>The connection's write handle, to send stream messages or requests of our own.</summary>");
        writer.Line("public global::FizyrRpc.PeerWriteHandle<TBody> Peer { get; }");
        writer.Line();
        writer.Line("/// <summary>The format of every body.</summary>");
        writer.Line($"public {Format} Format {{ get; }}");
        writer.Line();
        writer.Line("/// <summary>Cancelled when the connection closes or the server stops.</summary>");
        writer.Line($"public {Token} CancellationToken {{ get; }}");
        EmitStreamSenders(writer, model, string.Empty);
        writer.Close();
    }

    /// <summary>A typed sender per declared stream, through <paramref name="owner"/>'s Peer, Format and CancellationToken.</summary>
    private static void EmitStreamSenders(SourceWriter writer, InterfaceModel model, string owner)
    {
        foreach (var stream in model.Streams)
        {
            writer.Line();
            writer.Line($"/// <summary>Sends a {Xml(stream.Name)} stream message (ID {Int(stream.Id)}) to the remote.</summary>");
            if (stream.Value is not null)
                writer.Line("/// <param name=\"value\">The message's body.</param>");
            writer.Line("/// <returns>Completes when the message is queued.</returns>");
            writer.Line(stream.Value is { } value
                ? $"public {ValueTask} Send{stream.Name}Async({value.Type} value) =>"
                : $"public {ValueTask} Send{stream.Name}Async() =>");
            writer.Indent();
            var body = stream.Value is null ? $"{owner}Format.NoBody" : $"{owner}Format.Encode(value)";
            writer.Line($"{owner}Peer.SendStreamAsync({Int(stream.Id)}, TBody.FromBytes({body}), {owner}CancellationToken);");
            writer.Unindent();
        }
    }

    private static void EmitContext(SourceWriter writer, InterfaceModel model, ServiceModel service, Names names)
    {
        var context = service.Name + "Context";
        // A struct over the raw context: handling a request allocates no per-service wrapper.
        writer.Line("/// <summary>");
        writer.Line($"/// One {Xml(service.Name)} request being handled: send its response updates and stream messages, read its request updates.");
        writer.Line("/// A view over <see cref=\"Raw\"/> (a default instance has none); copies share the request.");
        writer.Line("/// </summary>");
        writer.Open($"public readonly struct {context}");
        writer.Line("/// <summary>Wraps the raw request context.</summary>");
        writer.Line("/// <param name=\"raw\">The raw request context.</param>");
        writer.Open($"public {context}(global::FizyrRpc.RpcRequestContext<TBody> raw)");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(raw);");
        writer.Line("Raw = raw;");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>The raw request context underneath: the request handle, the format, the connection's write handle.</summary>");
        writer.Line("public global::FizyrRpc.RpcRequestContext<TBody> Raw { get; }");
        writer.Line();
        writer.Line("/// <summary>Cancelled when the connection closes or the server stops.</summary>");
        writer.Line($"public {Token} CancellationToken => Raw.CancellationToken;");

        foreach (var update in service.ResponseUpdates)
        {
            writer.Line();
            writer.Line($"/// <summary>Sends the {Xml(update.Name)} response update (ID {Int(update.Id)}).</summary>");
            writer.Line("/// <param name=\"value\">The update's body.</param>");
            writer.Line("/// <param name=\"cancellationToken\">Cancels the send (the connection closing always does).</param>");
            writer.Line("/// <returns>Completes when the update is queued.</returns>");
            writer.Line($"public {ValueTask} Send{update.Name}Async({update.BodyType} value, {Token} cancellationToken = default) => Raw.SendUpdateAsync({Int(update.Id)}, value, cancellationToken);");
        }

        if (service.HasUpdates)
        {
            writer.Line();
            writer.Line("/// <summary>Reads the requester's updates until the request is answered.</summary>");
            writer.Line("/// <param name=\"cancellationToken\">Stops reading (the request's own token always does).</param>");
            writer.Line("/// <returns>The typed request updates.</returns>");
            writer.Line($"public global::System.Collections.Generic.IAsyncEnumerable<{names.RequestUnion(service)}> ReadUpdatesAsync({Token} cancellationToken = default) =>");
            writer.Indent();
            writer.Line($"Raw.ReadUpdatesAsync<{names.RequestUnion(service)}>({names.Interface}.Decode{service.Name}RequestUpdate<TBody>, cancellationToken);");
            writer.Unindent();
        }

        EmitStreamSenders(writer, model, "Raw.");

        writer.Close();
    }
}
