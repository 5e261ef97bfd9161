using FizyrRpc.Generator.Model;
using static FizyrRpc.Generator.Emitter;

namespace FizyrRpc.Generator;

/// <summary>
/// Emits the client nested in the interface: <c>Client&lt;TBody&gt;</c> for any transport (with a call class per service
/// that has updates) and <c>Client</c>, its form over <c>StreamBody</c> (TCP and Unix stream sockets).
/// </summary>
internal static class ClientEmitter
{
    public static void Emit(SourceWriter writer, InterfaceModel model, Names names)
    {
        EmitGeneric(writer, model, names);
        writer.Line();
        writer.Line($"/// <summary>A typed client of <see cref=\"{model.InterfaceType}\"/> over a byte stream (TCP, Unix stream sockets): <see cref=\"Client{{TBody}}\"/> with <see cref=\"global::FizyrRpc.StreamBody\"/>.</summary>");
        writer.Line(GeneratedCode);
        writer.Open("public sealed class Client : Client<global::FizyrRpc.StreamBody>");
        EmitConstructors(writer, "Client", "global::FizyrRpc.StreamBody", "format", model);
        writer.Close();
    }

    /// <summary>The three constructors: a whole peer, a write handle, a connection provider.</summary>
    private static void EmitConstructors(SourceWriter writer, string name, string body, string format, InterfaceModel model)
    {
        var defaultFormat = $"<see cref=\"{model.InterfaceType}.DefaultFormat\"/>";
        writer.Line("/// <summary>Creates a client that owns <paramref name=\"peer\"/>: it sends requests and reads the remote's stream messages.</summary>");
        writer.Line("/// <param name=\"peer\">The connection.</param>");
        writer.Line($"/// <param name=\"format\">The format of every body ({defaultFormat}, MessagePack, by default).</param>");
        writer.Line($"public {name}(global::FizyrRpc.PeerHandle<{body}> peer, {Format}? format = null)");
        writer.Indent();
        writer.Line($": base(peer, {format})");
        writer.Unindent();
        writer.OpenBrace();
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>Creates a client from a write handle alone: it sends requests and streams, and reads nothing else.</summary>");
        writer.Line("/// <param name=\"writeHandle\">The write handle of the connection.</param>");
        writer.Line($"/// <param name=\"format\">The format of every body ({defaultFormat}, MessagePack, by default).</param>");
        writer.Line($"public {name}(global::FizyrRpc.PeerWriteHandle<{body}> writeHandle, {Format}? format = null)");
        writer.Indent();
        writer.Line($": base(writeHandle, {format})");
        writer.Unindent();
        writer.OpenBrace();
        writer.Close();
        writer.Line();
        writer.Line("/// <summary>Creates a client that takes the connection of each call from <paramref name=\"connection\"/> (a reconnecting one, for example): it sends requests and streams, and reads nothing else.</summary>");
        writer.Line("/// <param name=\"connection\">Gives the write handle of each call; it stays its owner's.</param>");
        writer.Line($"/// <param name=\"format\">The format of every body ({defaultFormat}, MessagePack, by default).</param>");
        writer.Line($"public {name}(global::FizyrRpc.IRpcConnectionProvider<{body}> connection, {Format}? format = null)");
        writer.Indent();
        writer.Line($": base(connection, {format})");
        writer.Unindent();
        writer.OpenBrace();
        writer.Close();
    }

    private static void EmitGeneric(SourceWriter writer, InterfaceModel model, Names names)
    {
        writer.Line($"/// <summary>A typed client of <see cref=\"{model.InterfaceType}\"/>: calls, call objects for services with updates, and stream messages both ways.</summary>");
        writer.Line("/// <typeparam name=\"TBody\">The body type of the transport.</typeparam>");
        writer.Line(GeneratedCode);
        // Not sealed: Client, the StreamBody form, derives from it.
        writer.Line($"public class Client<TBody> : global::FizyrRpc.RpcClientBase<TBody>, {model.InterfaceType}");
        writer.Indent();
        writer.Line(BodyConstraint);
        writer.Unindent();
        writer.OpenBrace();
        EmitConstructors(writer, "Client", "TBody", $"format ?? {names.Interface}.DefaultFormat", model);
        Emitter.EmitInterfaceInfo(writer, names);

        foreach (var service in model.Services)
        {
            writer.Line();
            var parameters = ClientParameters(service.Request, service.CancellationTokenName, service.CancellationTokenHasDefault);
            var token = service.CancellationTokenName is { } name ? Identifier(name) : "default";
            var body = service.Request is { } request ? $"Encode({Identifier(request.Name)})" : "NoBody()";
            // A Task-returning method calls the Task form directly: one state machine, which is the Task itself.
            var method = service.ReturnKind == ReturnKind.Task ? "CallTaskAsync" : "CallAsync";
            var nullableResponse = service.ResponseNullable ? ", nullable: true" : string.Empty;
            var call = service.ResponseType is { } response
                ? $"{method}<{response}>({Int(service.Id)}, {body}{nullableResponse}, {token})"
                : $"{method}({Int(service.Id)}, {body}, {token})";
            writer.Line("/// <inheritdoc/>");
            writer.Line($"public {ReturnType(service.ReturnKind, service.ResponseType)} {service.MethodName}({parameters}) =>");
            writer.Indent();
            writer.Line(call + ";");
            writer.Unindent();

            if (service.HasUpdates)
            {
                writer.Line();
                var callName = service.Name + "Call";
                var startParameters = service.Request is { } startRequest
                    ? $"{startRequest.Type} {Identifier(startRequest.Name)}, {Token} cancellationToken = default"
                    : $"{Token} cancellationToken = default";
                writer.Line($"/// <summary>Starts a {Xml(service.Name)} request (service {Int(service.Id)}) and returns the call: send its request updates, read its response updates, await its response.</summary>");
                if (service.Request is { } documented)
                    writer.Line($"/// <param name=\"{documented.Name}\">The request.</param>");
                writer.Line("/// <param name=\"cancellationToken\">Cancels sending the request.</param>");
                writer.Line("/// <returns>The open call; dispose it when done.</returns>");
                writer.Line($"public async {ValueTask}<{callName}> Start{service.Name}Async({startParameters}) =>");
                writer.Indent();
                writer.Line($"new {callName}(await StartAsync({Int(service.Id)}, {body}, cancellationToken).ConfigureAwait(false), Format);");
                writer.Unindent();
            }
        }

        foreach (var stream in model.Streams)
        {
            writer.Line();
            var parameters = ClientParameters(stream.Value, stream.CancellationTokenName, stream.CancellationTokenHasDefault);
            var token = stream.CancellationTokenName is { } name ? Identifier(name) : "default";
            var body = stream.Value is { } value ? $"Encode({Identifier(value.Name)})" : "NoBody()";
            var send = $"SendStreamAsync({Int(stream.Id)}, {body}, {token})";
            writer.Line("/// <inheritdoc/>");
            writer.Line($"public {ReturnType(stream.ReturnKind, null)} {stream.MethodName}({parameters}) =>");
            writer.Indent();
            writer.Line((stream.ReturnKind == ReturnKind.Task ? send + ".AsTask()" : send) + ";");
            writer.Unindent();
        }

        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Reads the remote's stream messages until the connection ends; requests from the remote are answered with an");
        writer.Line("/// error response. Needs a client built from a whole peer handle.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"cancellationToken\">Stops reading.</param>");
        writer.Line("/// <returns>The typed stream messages.</returns>");
        writer.Line($"public global::System.Collections.Generic.IAsyncEnumerable<{names.StreamUnion}> ReadStreamsAsync({Token} cancellationToken = default) =>");
        writer.Indent();
        writer.Line($"ReadStreamsAsync<{names.StreamUnion}>({names.Interface}.DecodeStreamMessage<TBody>, cancellationToken);");
        writer.Unindent();

        foreach (var service in model.Services)
        {
            if (!service.HasUpdates)
                continue;
            writer.Line();
            EmitCall(writer, service, names);
        }

        writer.Close();
    }

    private static void EmitCall(SourceWriter writer, ServiceModel service, Names names)
    {
        var callName = service.Name + "Call";
        var union = names.ResponseUnion(service);
        writer.Line($"/// <summary>An open {Xml(service.Name)} request: send its request updates, read its response updates, then await its response.</summary>");
        writer.Open($"public sealed class {callName} : global::FizyrRpc.RpcCallBase<TBody, {union}>");
        writer.Line($"internal {callName}(global::FizyrRpc.SentRequest<TBody> request, {Format} format)");
        writer.Indent();
        writer.Line(": base(request, format)");
        writer.Unindent();
        writer.OpenBrace();
        writer.Close();

        foreach (var update in service.RequestUpdates)
        {
            writer.Line();
            writer.Line($"/// <summary>Sends the {Xml(update.Name)} request update (ID {Int(update.Id)}).</summary>");
            writer.Line("/// <param name=\"value\">The update's body.</param>");
            writer.Line("/// <param name=\"cancellationToken\">Cancels the send.</param>");
            writer.Line("/// <returns>Completes when the update is queued.</returns>");
            writer.Line($"public {ValueTask} Send{update.Name}Async({update.BodyType} value, {Token} cancellationToken = default) =>");
            writer.Indent();
            writer.Line($"SendUpdateAsync({Int(update.Id)}, value, cancellationToken);");
            writer.Unindent();
        }

        writer.Line();
        writer.Line("/// <inheritdoc/>");
        writer.Line($"protected override {union} DecodeUpdate(global::FizyrRpc.Message<TBody> update) =>");
        writer.Indent();
        writer.Line($"{names.Interface}.Decode{service.Name}ResponseUpdate(Format, update);");
        writer.Unindent();

        writer.Line();
        writer.Line("/// <summary>Waits for the response, skipping response updates not read yet.</summary>");
        writer.Line("/// <param name=\"cancellationToken\">Cancels the wait.</param>");
        writer.Line(service.ResponseType is null ? "/// <returns>Completes when the response has come.</returns>" : "/// <returns>The decoded response.</returns>");
        writer.Line("/// <exception cref=\"global::FizyrRpc.RemoteErrorException\">The remote answered with an error response.</exception>");
        if (service.ResponseType is { } response)
        {
            writer.Line($"public {ValueTask}<{response}> ReceiveResponseAsync({Token} cancellationToken = default) =>");
            writer.Indent();
            writer.Line(service.ResponseNullable
                ? $"ReceiveResponseAsync<{response}>(nullable: true, cancellationToken);"
                : $"ReceiveResponseAsync<{response}>(cancellationToken);");
        }
        else
        {
            writer.Line($"public {ValueTask} ReceiveResponseAsync({Token} cancellationToken = default) =>");
            writer.Indent();
            writer.Line("ReceiveEmptyResponseAsync(cancellationToken);");
        }

        writer.Unindent();
        writer.Close();
    }
}
