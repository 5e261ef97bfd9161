using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>Serves one request of a service only some transports have; answers it (or throws).</summary>
internal delegate ValueTask ExtraService<TBody>(ReceivedRequest<TBody> request, CancellationToken cancellationToken)
    where TBody : IMessageBody<TBody>;

/// <summary>What the server's scenario is on one transport: its body limit, and services only its body type can serve.</summary>
/// <param name="MaxBodyLength">The largest reply the big service sends.</param>
/// <param name="ExtraServices">Services beyond the shared ones, by service ID.</param>
internal sealed record ServerProfile<TBody>(int MaxBodyLength, IReadOnlyDictionary<int, ExtraService<TBody>> ExtraServices)
    where TBody : IMessageBody<TBody>;

/// <summary>The server's profile of each transport.</summary>
internal static class ServerProfiles
{
    /// <summary>TCP and Unix stream: 16 MiB bodies, no extra service (service 6 is unknown, as any other).</summary>
    public static ServerProfile<StreamBody> Stream { get; } = new(Scenario.MaxBodyLength, new Dictionary<int, ExtraService<StreamBody>>());

    /// <summary>Unix seqpacket: 128 KiB bodies, and the fd service.</summary>
    public static ServerProfile<UnixBody> Seqpacket { get; } = new(
        Scenario.SeqpacketMaxBodyLength,
        new Dictionary<int, ExtraService<UnixBody>> { [Scenario.FdService] = FdService.ServeAsync });
}
