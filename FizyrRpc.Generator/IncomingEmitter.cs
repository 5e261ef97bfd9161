using FizyrRpc.Generator.Model;
using static FizyrRpc.Generator.Emitter;

namespace FizyrRpc.Generator;

/// <summary>
/// Emits the lower-level typed receive into the interface: the <c>Incoming&lt;TBody&gt;</c> union of everything the remote
/// may send (declared requests and streams decoded, unknown and undecodable ones as they came), <c>DecodeIncoming</c>
/// and <c>ReceiveAsync</c>. Nothing is answered for the user.
/// </summary>
internal static class IncomingEmitter
{
    private const string Request = "global::FizyrRpc.ReceivedRequest<TBody>";
    private const string Message = "global::FizyrRpc.Message<TBody>";
    private const string FormatError = "global::FizyrRpc.RpcFormatException";

    public static void Emit(SourceWriter writer, InterfaceModel model, Emitter.Names names)
    {
        EmitUnion(writer, model, names);
        writer.Line();
        EmitDecode(writer, model);
        writer.Line();
        EmitReceive(writer);
    }

    private static void EmitUnion(SourceWriter writer, InterfaceModel model, Emitter.Names names)
    {
        writer.Line("/// <summary>");
        writer.Line($"/// One message from the remote, typed: a declared request or stream message decoded, or an unknown or undecodable");
        writer.Line("/// one as it came. Nothing is answered for you: answer every request case, or dispose it, which answers");
        writer.Line("/// \"request dropped without a response\".");
        writer.Line("/// </summary>");
        writer.Line("/// <typeparam name=\"TBody\">The body type of the transport.</typeparam>");
        writer.Line(Emitter.GeneratedCode);
        writer.Line("public abstract class Incoming<TBody> : global::System.IDisposable, global::System.IAsyncDisposable");
        writer.Indent();
        writer.Line(BodyConstraint);
        writer.Unindent();
        writer.OpenBrace();
        writer.Open("private Incoming()");
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>Releases the message: an unanswered request is answered \"request dropped without a response\", a raw body is freed.</summary>");
        writer.Line("public abstract void Dispose();");
        writer.Line();
        writer.Line("/// <summary>Releases the message, as <see cref=\"Dispose\"/> does.</summary>");
        writer.Line("/// <returns>A completed task.</returns>");
        writer.Open($"public {ValueTask} DisposeAsync()");
        writer.Line("Dispose();");
        writer.Line("return default;");
        writer.Close();

        foreach (var service in model.Services)
        {
            writer.Line();
            EmitServiceCase(writer, service, names);
        }

        foreach (var stream in model.Streams)
        {
            writer.Line();
            EmitStreamCase(writer, stream);
        }

        writer.Line();
        EmitRawCase(writer, "UnknownRequest", "A request for a service the interface does not declare; answer it through <see cref=\"Request\"/>.", hasRequest: true, hasError: false);
        writer.Line();
        EmitRawCase(writer, "InvalidRequest", "A request for a declared service whose body does not decode; answer it through <see cref=\"Request\"/>.", hasRequest: true, hasError: true);
        writer.Line();
        EmitRawCase(writer, "UnknownStream", "A stream message with an ID the interface does not declare.", hasRequest: false, hasError: false);
        writer.Line();
        EmitRawCase(writer, "InvalidStream", "A declared stream message whose body does not decode.", hasRequest: false, hasError: true);
        writer.Close();
    }

    private static void EmitServiceCase(SourceWriter writer, ServiceModel service, Emitter.Names names)
    {
        var name = service.Name + "Request";
        var context = names.ServerContext(service);
        var summary = service.Documentation is { } doc ? " " + Emitter.Xml(doc) : string.Empty;
        writer.Line($"/// <summary>A {Emitter.Xml(service.Name)} request (service {Emitter.Int(service.Id)}), decoded; answer it with <see cref=\"RespondAsync\"/>.{summary}</summary>");
        writer.Open($"public sealed class {name} : Incoming<TBody>");
        var parameters = service.Request is { } request ? $"global::FizyrRpc.RpcRequestContext<TBody> raw, {request.Type} value" : "global::FizyrRpc.RpcRequestContext<TBody> raw";
        writer.Open($"internal {name}({parameters})");
        writer.Line($"Context = new {context}(raw);");
        if (service.Request is not null)
            writer.Line("Value = value;");
        writer.Close();

        if (service.Request is { } body)
        {
            writer.Line();
            writer.Line("/// <summary>The decoded request.</summary>");
            writer.Line($"public {body.Type} Value {{ get; }}");
        }

        writer.Line();
        writer.Line("/// <summary>The request's typed context, as a server handler gets it: response updates, request updates, stream messages.</summary>");
        writer.Line($"public {context} Context {{ get; }}");
        writer.Line();
        writer.Line("/// <summary>The raw request handle underneath.</summary>");
        writer.Line($"public {Request} Request => Context.Raw.Request;");

        writer.Line();
        writer.Line("/// <summary>Answers the request, with the request's service ID.</summary>");
        if (service.ResponseType is { } response)
        {
            writer.Line("/// <param name=\"value\">The response.</param>");
            writer.Line("/// <returns>Completes when the response is queued.</returns>");
            writer.Line($"public {ValueTask} RespondAsync({response} value) => Context.Raw.RespondAsync<{response}>(value);");
        }
        else
        {
            writer.Line("/// <returns>Completes when the response is queued.</returns>");
            writer.Line($"public {ValueTask} RespondAsync() => Context.Raw.RespondAsync();");
        }

        foreach (var update in service.ResponseUpdates)
        {
            writer.Line();
            writer.Line($"/// <summary>Sends the {Emitter.Xml(update.Name)} response update (ID {Emitter.Int(update.Id)}).</summary>");
            writer.Line("/// <param name=\"value\">The update's body.</param>");
            writer.Line("/// <param name=\"cancellationToken\">Cancels the send (the connection closing always does).</param>");
            writer.Line("/// <returns>Completes when the update is queued.</returns>");
            writer.Line($"public {ValueTask} Send{update.Name}Async({update.BodyType} value, {Token} cancellationToken = default) => Context.Send{update.Name}Async(value, cancellationToken);");
        }

        if (service.HasUpdates)
        {
            writer.Line();
            writer.Line("/// <summary>Reads the requester's updates until the request is answered.</summary>");
            writer.Line("/// <param name=\"cancellationToken\">Stops reading (the connection closing always does).</param>");
            writer.Line("/// <returns>The typed request updates.</returns>");
            writer.Line($"public global::System.Collections.Generic.IAsyncEnumerable<{names.RequestUnion(service)}> ReadUpdatesAsync({Token} cancellationToken = default) =>");
            writer.Indent();
            writer.Line("Context.ReadUpdatesAsync(cancellationToken);");
            writer.Unindent();
        }

        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Line("public override void Dispose() => Request.Dispose();");
        writer.Close();
    }

    private static void EmitStreamCase(SourceWriter writer, StreamModel stream)
    {
        var name = stream.Name + "Stream";
        var summary = stream.Documentation is { } doc ? " " + Emitter.Xml(doc) : string.Empty;
        writer.Line($"/// <summary>A {Emitter.Xml(stream.Name)} stream message (ID {Emitter.Int(stream.Id)}), decoded.{summary}</summary>");
        writer.Open($"public sealed class {name} : Incoming<TBody>");
        if (stream.Value is { } value)
        {
            writer.Open($"internal {name}({value.Type} value)");
            writer.Line("Value = value;");
            writer.Close();
            writer.Line();
            writer.Line("/// <summary>The decoded body.</summary>");
            writer.Line($"public {value.Type} Value {{ get; }}");
        }
        else
        {
            writer.Open($"internal {name}()");
            writer.Close();
        }

        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Open("public override void Dispose()");
        writer.Line("// The body was released once decoded.");
        writer.Close();
        writer.Close();
    }

    private static void EmitRawCase(SourceWriter writer, string name, string summary, bool hasRequest, bool hasError)
    {
        var (type, property, parameter) = hasRequest ? (Request, "Request", "request") : (Message, "Message", "message");
        writer.Line($"/// <summary>{summary}</summary>");
        writer.Open($"public sealed class {name} : Incoming<TBody>");
        writer.Open(hasError ? $"internal {name}({type} {parameter}, {FormatError} error)" : $"internal {name}({type} {parameter})");
        writer.Line($"{property} = {parameter};");
        if (hasError)
            writer.Line("Error = error;");
        writer.Close();
        writer.Line();
        writer.Line(hasRequest
            ? "/// <summary>The raw request handle: its body as it came; answer through it.</summary>"
            : "/// <summary>The raw message; its body is freed on dispose.</summary>");
        writer.Line($"public {type} {property} {{ get; }}");
        if (hasError)
        {
            writer.Line();
            writer.Line("/// <summary>Why the body does not decode.</summary>");
            writer.Line($"public {FormatError} Error {{ get; }}");
        }

        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Line(hasRequest ? "public override void Dispose() => Request.Dispose();" : "public override void Dispose() => Message.Body.Dispose();");
        writer.Close();
    }

    private static void EmitDecode(SourceWriter writer, InterfaceModel model)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Turns a raw received message into an <see cref=\"Incoming{TBody}\"/> case; a body that does not decode gives");
        writer.Line("/// <c>InvalidRequest</c> or <c>InvalidStream</c>, an undeclared ID <c>UnknownRequest</c> or <c>UnknownStream</c>.");
        writer.Line("/// </summary>");
        writer.Line("/// <typeparam name=\"TBody\">The body type of the transport.</typeparam>");
        writer.Line("/// <param name=\"message\">The message, as the peer's ReceiveMessageAsync returned it; the case owns it now.</param>");
        writer.Line("/// <param name=\"writer\">The connection's write handle, for the request contexts' stream messages.</param>");
        writer.Line($"/// <param name=\"format\">The format of every body (<see cref=\"DefaultFormat\"/>, MessagePack, by default).</param>");
        writer.Line("/// <returns>The typed message; dispose it when done.</returns>");
        writer.Line(Emitter.GeneratedCode);
        writer.Line("public static Incoming<TBody> DecodeIncoming<TBody>(global::FizyrRpc.ReceivedMessage<TBody> message, global::FizyrRpc.PeerWriteHandle<TBody> writer, " + Format + "? format = null)");
        writer.Indent();
        writer.Line(BodyConstraint);
        writer.Unindent();
        writer.OpenBrace();
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(writer);");
        writer.Line($"format ??= DefaultFormat;");
        writer.Open("if (message.Request is { } request)");
        writer.Line("var context = new global::FizyrRpc.RpcRequestContext<TBody>(request, format, writer, writer.ConnectionClosed);");
        writer.Open("try");
        writer.Open("switch (request.ServiceId)");
        foreach (var service in model.Services)
        {
            writer.Line($"case {Emitter.Int(service.Id)}:");
            writer.Indent();
            writer.Line(service.Request is { } body
                ? $"return new Incoming<TBody>.{service.Name}Request(context, context.{Emitter.DecodeRequest(body)});"
                : $"return new Incoming<TBody>.{service.Name}Request(context);");
            writer.Unindent();
        }

        writer.Line("default:");
        writer.Indent();
        writer.Line("return new Incoming<TBody>.UnknownRequest(request);");
        writer.Unindent();
        writer.Close();
        writer.Close();
        writer.Open($"catch ({FormatError} error)");
        writer.Line("return new Incoming<TBody>.InvalidRequest(request, error);");
        writer.Close();
        writer.Close();
        writer.Line();
        writer.Line("var stream = message.Message;");
        writer.Open("try");
        writer.Open("switch (stream.ServiceId)");
        foreach (var stream in model.Streams)
        {
            writer.Line($"case {Emitter.Int(stream.Id)}:");
            writer.OpenBrace();
            if (stream.Value is { } value)
            {
                writer.Line($"var value = format.Decode<{value.Type}>(stream.Body.Data, {Emitter.Nullable(value.Nullable)});");
                writer.Line("stream.Body.Dispose();");
                writer.Line($"return new Incoming<TBody>.{stream.Name}Stream(value);");
            }
            else
            {
                writer.Line("stream.Body.Dispose();");
                writer.Line($"return new Incoming<TBody>.{stream.Name}Stream();");
            }

            writer.Close();
        }

        writer.Line("default:");
        writer.Indent();
        writer.Line("return new Incoming<TBody>.UnknownStream(stream);");
        writer.Unindent();
        writer.Close();
        writer.Close();
        writer.Open($"catch ({FormatError} error)");
        writer.Line("return new Incoming<TBody>.InvalidStream(stream, error);");
        writer.Close();
        writer.Close();
    }

    private static void EmitReceive(SourceWriter writer)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Reads one message from the remote and returns it typed: the lower-level alternative to a server base, which");
        writer.Line("/// hides nothing. Unknown services and streams, and bodies that do not decode, come as their own cases.");
        writer.Line("/// </summary>");
        writer.Line("/// <typeparam name=\"TBody\">The body type of the transport.</typeparam>");
        writer.Line("/// <param name=\"reader\">The connection's read handle.</param>");
        writer.Line("/// <param name=\"writer\">The connection's write handle, for the request contexts' stream messages.</param>");
        writer.Line($"/// <param name=\"format\">The format of every body (<see cref=\"DefaultFormat\"/>, MessagePack, by default).</param>");
        writer.Line("/// <param name=\"cancellationToken\">Stops waiting.</param>");
        writer.Line("/// <returns>The typed message; dispose it when done.</returns>");
        writer.Line("/// <exception cref=\"global::FizyrRpc.ConnectionClosedException\">The connection is closed.</exception>");
        writer.Line("/// <exception cref=\"global::FizyrRpc.RpcProtocolException\">The peer dropped a message (non-fatal); the next call continues.</exception>");
        writer.Line(Emitter.GeneratedCode);
        writer.Line($"public static async {ValueTask}<Incoming<TBody>> ReceiveAsync<TBody>(");
        writer.Indent();
        writer.Line("global::FizyrRpc.PeerReadHandle<TBody> reader,");
        writer.Line("global::FizyrRpc.PeerWriteHandle<TBody> writer,");
        writer.Line($"{Format}? format = null,");
        writer.Line($"{Token} cancellationToken = default)");
        writer.Line(BodyConstraint);
        writer.Unindent();
        writer.OpenBrace();
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(reader);");
        writer.Line("global::System.ArgumentNullException.ThrowIfNull(writer);");
        writer.Line("var message = await reader.ReceiveMessageAsync(cancellationToken).ConfigureAwait(false);");
        writer.Line("return DecodeIncoming(message, writer, format);");
        writer.Close();
    }
}
