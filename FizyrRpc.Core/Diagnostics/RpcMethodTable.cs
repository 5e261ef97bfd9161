using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// The names of an interface's services and streams as metrics, traces and logs show them (<c>Camera/Record</c>),
/// made once per interface from its generated <see cref="RpcInterfaceInfo"/>, so a call never formats a string.
/// </summary>
internal sealed class RpcMethodTable
{
    /// <summary>The <c>rpc.method</c> of a service the interface does not declare (a bounded set of tag values).</summary>
    public const string Other = "_OTHER";

    private static readonly ConditionalWeakTable<RpcInterfaceInfo, RpcMethodTable> Cache = new();
    private static readonly RpcMethodTable None = new(null);

    private readonly Dictionary<int, string> _services = [];
    private readonly Dictionary<int, string> _streams = [];

    private RpcMethodTable(RpcInterfaceInfo? info)
    {
        Service = info?.Name ?? "unknown";
        if (info is null)
            return;
        foreach (var service in info.Services)
            _services.TryAdd(service.Id, $"{info.Name}/{service.Name}");
        foreach (var stream in info.Streams)
            _streams.TryAdd(stream.Id, $"{info.Name}/{stream.Name}");
    }

    /// <summary>The interface's service name (<c>rpc.service</c>).</summary>
    public string Service { get; }

    public static RpcMethodTable For(RpcInterfaceInfo? info) =>
        info is null ? None : Cache.GetValue(info, static info => new RpcMethodTable(info));

    /// <summary>The <c>rpc.method</c> of a service, or null when the interface does not declare it.</summary>
    public string? FindService(int serviceId) => _services.GetValueOrDefault(serviceId);

    /// <summary>What logs call the handler of a message: its service's or stream's name, or <c>Interface/N</c>.</summary>
    public string Describe(in MessageHeader header) =>
        (header.MessageType == MessageType.Stream ? _streams : _services).GetValueOrDefault(header.ServiceId)
        ?? $"{Service}/{header.ServiceId}";
}
