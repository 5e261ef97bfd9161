namespace FizyrRpc.Tests.Hosting;

/// <summary>Two services of the conformance sample's server, typed (raw format): echo (1) and chat (4).</summary>
[RpcService]
public partial interface IConformancePeer
{
    /// <summary>Answers the same body.</summary>
    [Service(1)]
    Task<byte[]> EchoAsync(byte[] body, CancellationToken cancellationToken = default);

    /// <summary>Echoes every update until update 99, then answers "bye".</summary>
    [Service(4)]
    [RequestUpdate(7, typeof(byte[]), Name = "Say")]
    [ResponseUpdate(7, typeof(byte[]), Name = "Said")]
    Task<byte[]> ChatAsync(byte[] opening, CancellationToken cancellationToken = default);
}
