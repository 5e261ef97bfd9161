using Grpc.Core;
using LoadGenerator.Grpc;

/// <summary>The gRPC echo server: returns each message as it came.</summary>
internal sealed class EchoService : Echo.EchoBase
{
    public override Task<EchoMessage> Unary(EchoMessage request, ServerCallContext context) => Task.FromResult(request);

    public override async Task Stream(IAsyncStreamReader<EchoMessage> requestStream, IServerStreamWriter<EchoMessage> responseStream, ServerCallContext context)
    {
        await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
            await responseStream.WriteAsync(message, context.CancellationToken);
    }
}
