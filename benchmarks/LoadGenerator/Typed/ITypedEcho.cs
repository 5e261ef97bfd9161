using FizyrRpc;

namespace LoadGenerator.Typed;

/// <summary>The echo as a typed service: the generator makes its client and server base (MessagePack bodies).</summary>
[RpcService]
public partial interface ITypedEcho
{
    /// <summary>Returns <paramref name="body"/> as it came.</summary>
    [Service(1)]
    Task<byte[]> EchoAsync(byte[] body, CancellationToken cancellationToken = default);
}
