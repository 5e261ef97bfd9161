using FizyrRpc;

namespace LoadGenerator.Typed;

/// <summary>The typed echo server: returns each body as it came.</summary>
public sealed class TypedEchoServer<TBody> : ITypedEcho.ServerBase<TBody>
    where TBody : IMessageBody<TBody>
{
    /// <inheritdoc/>
    protected override Task<byte[]> EchoAsync(byte[] body, EchoContext context) => Task.FromResult(body);
}
