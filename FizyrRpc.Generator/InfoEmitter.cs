using FizyrRpc.Generator.Model;
using static FizyrRpc.Generator.Emitter;

namespace FizyrRpc.Generator;

/// <summary>Emits the interface's own static members: its introspection description (<c>Info</c>) and <c>DefaultFormat</c>.</summary>
internal static class InfoEmitter
{
    public static void Emit(SourceWriter writer, InterfaceModel model)
    {
        writer.Line($"/// <summary>The {Xml(model.ServiceName)} interface as introspection describes it.</summary>");
        writer.Line(GeneratedCode);
        writer.Line("public static global::FizyrRpc.RpcInterfaceInfo Info { get; } = new global::FizyrRpc.RpcInterfaceInfo(");
        writer.Indent();
        writer.Line(Literal(model.ServiceName) + ",");
        if (model.Services.Count == 0)
        {
            writer.Line("global::System.Array.Empty<global::FizyrRpc.RpcServiceInfo>(),");
        }
        else
        {
            writer.Line("new global::FizyrRpc.RpcServiceInfo[]");
            writer.Line("{");
            writer.Indent();
            foreach (var service in model.Services)
            {
                writer.Line("new global::FizyrRpc.RpcServiceInfo(");
                writer.Indent();
                writer.Line(Int(service.Id) + ",");
                writer.Line(Literal(service.Name) + ",");
                writer.Line(TypeOf(service.Request?.TypeOfName) + ",");
                writer.Line(TypeOf(service.ResponseTypeOfName) + ",");
                EmitUpdateInfos(writer, service.RequestUpdates);
                EmitUpdateInfos(writer, service.ResponseUpdates);
                writer.Line(Literal(service.Documentation) + ",");
                writer.Line(service.Hidden ? "true)," : "false),");
                writer.Unindent();
            }

            writer.Unindent();
            writer.Line("},");
        }

        if (model.Streams.Count == 0)
        {
            writer.Line("global::System.Array.Empty<global::FizyrRpc.RpcStreamInfo>(),");
        }
        else
        {
            writer.Line("new global::FizyrRpc.RpcStreamInfo[]");
            writer.Line("{");
            writer.Indent();
            foreach (var stream in model.Streams)
            {
                writer.Line(
                    $"new global::FizyrRpc.RpcStreamInfo({Int(stream.Id)}, {Literal(stream.Name)}, {TypeOf(stream.Value?.TypeOfName)}, " +
                    $"{Literal(stream.Documentation)}, {(stream.Hidden ? "true" : "false")}),");
            }

            writer.Unindent();
            writer.Line("},");
        }

        writer.Line(Literal(model.Documentation) + ");");
        writer.Unindent();
        writer.Line();
        FormatterEmitter.EmitDefaultFormat(writer);
    }

    private static void EmitUpdateInfos(SourceWriter writer, EquatableArray<UpdateModel> updates)
    {
        if (updates.Count == 0)
        {
            writer.Line("global::System.Array.Empty<global::FizyrRpc.RpcUpdateInfo>(),");
            return;
        }

        writer.Line("new global::FizyrRpc.RpcUpdateInfo[]");
        writer.Line("{");
        writer.Indent();
        foreach (var update in updates)
            writer.Line($"new global::FizyrRpc.RpcUpdateInfo({Int(update.Id)}, {Literal(update.Name)}, typeof({update.BodyTypeOfName})),");
        writer.Unindent();
        writer.Line("},");
    }
}
