namespace FizyrRpc;

/// <summary>An update of a service, as introspection describes it.</summary>
/// <param name="Id">The service ID of the update message.</param>
/// <param name="Name">The name of the update.</param>
/// <param name="BodyType">The type of its body.</param>
/// <param name="Documentation">The XML doc summary, if any.</param>
public sealed record RpcUpdateInfo(int Id, string Name, Type BodyType, string? Documentation = null);

/// <summary>A service (request type) of an interface, as introspection describes it.</summary>
/// <param name="Id">The service ID.</param>
/// <param name="Name">The name (the method name without "Async").</param>
/// <param name="RequestType">The type of the request body, or null for no body.</param>
/// <param name="ResponseType">The type of the response body, or null for no body.</param>
/// <param name="RequestUpdates">The updates the requester may send.</param>
/// <param name="ResponseUpdates">The updates the responder may send.</param>
/// <param name="Documentation">The XML doc summary, if any.</param>
/// <param name="Hidden">Whether it is hidden from listings.</param>
public sealed record RpcServiceInfo(
    int Id,
    string Name,
    Type? RequestType,
    Type? ResponseType,
    IReadOnlyList<RpcUpdateInfo> RequestUpdates,
    IReadOnlyList<RpcUpdateInfo> ResponseUpdates,
    string? Documentation = null,
    bool Hidden = false);

/// <summary>A stream message of an interface, as introspection describes it.</summary>
/// <param name="Id">The service ID of the stream message.</param>
/// <param name="Name">The name (the method name without "Async").</param>
/// <param name="BodyType">The type of its body, or null for no body.</param>
/// <param name="Documentation">The XML doc summary, if any.</param>
/// <param name="Hidden">Whether it is hidden from listings.</param>
public sealed record RpcStreamInfo(int Id, string Name, Type? BodyType, string? Documentation = null, bool Hidden = false);

/// <summary>An [RpcService] interface as introspection describes it: generated, no reflection.</summary>
/// <param name="Name">The interface's service name.</param>
/// <param name="Services">Its services, in declaration order.</param>
/// <param name="Streams">Its stream messages, in declaration order.</param>
/// <param name="Documentation">The XML doc summary, if any.</param>
public sealed record RpcInterfaceInfo(
    string Name,
    IReadOnlyList<RpcServiceInfo> Services,
    IReadOnlyList<RpcStreamInfo> Streams,
    string? Documentation = null)
{
    /// <summary>The service with ID <paramref name="id"/>, if any.</summary>
    public RpcServiceInfo? FindService(int id) => Services.FirstOrDefault(service => service.Id == id);

    /// <summary>The stream message with ID <paramref name="id"/>, if any.</summary>
    public RpcStreamInfo? FindStream(int id) => Streams.FirstOrDefault(stream => stream.Id == id);

    /// <summary>A readable listing of the visible services and streams, with body types as <paramref name="format"/> describes them.</summary>
    public string Describe(IRpcFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var text = new System.Text.StringBuilder();
        text.Append("service ").Append(Name).Append(" (").Append(format.Name).AppendLine(")");
        string Body(Type? type) => type is null ? "()" : format.Describe(type);
        foreach (var service in Services.Where(service => !service.Hidden))
        {
            text.Append("  ").Append(service.Id).Append(' ').Append(service.Name)
                .Append('(').Append(Body(service.RequestType)).Append(") -> ").AppendLine(Body(service.ResponseType));
            foreach (var update in service.RequestUpdates)
                text.Append("    request update ").Append(update.Id).Append(' ').Append(update.Name).Append(": ").AppendLine(Body(update.BodyType));
            foreach (var update in service.ResponseUpdates)
                text.Append("    response update ").Append(update.Id).Append(' ').Append(update.Name).Append(": ").AppendLine(Body(update.BodyType));
        }

        foreach (var stream in Streams.Where(stream => !stream.Hidden))
            text.Append("  stream ").Append(stream.Id).Append(' ').Append(stream.Name).Append(": ").AppendLine(Body(stream.BodyType));
        return text.ToString();
    }
}
