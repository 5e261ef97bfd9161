namespace FizyrRpc.Tests.Typed;

/// <summary>A hand-written client, shaped like a generated one.</summary>
public sealed class TestClient : RpcClientBase<StreamBody>
{
    public TestClient(PeerHandle<StreamBody> peer, IRpcFormat? format = null)
        : base(peer, format ?? MessagePackFormat.Default)
    {
    }

    public TestClient(PeerWriteHandle<StreamBody> writeHandle, IRpcFormat? format = null)
        : base(writeHandle, format ?? MessagePackFormat.Default)
    {
    }

    public ValueTask PingAsync(CancellationToken cancellationToken = default) =>
        CallAsync(TestIds.Ping, NoBody(), cancellationToken);

    public ValueTask<int> AddAsync(AddRequest request, CancellationToken cancellationToken = default) =>
        CallAsync<int>(TestIds.Add, Encode(request), cancellationToken);

    public ValueTask<string> EchoAsync(string text, CancellationToken cancellationToken = default) =>
        CallAsync<string>(TestIds.Echo, Encode(text), cancellationToken);

    public ValueTask FailAsync(string message, CancellationToken cancellationToken = default) =>
        CallAsync(TestIds.Fail, Encode(message), cancellationToken);

    public ValueTask AnswerThenThrowAsync(CancellationToken cancellationToken = default) =>
        CallAsync(TestIds.AnswerThenThrow, NoBody(), cancellationToken);

    public async ValueTask<CountCall> StartCountAsync(int start, CancellationToken cancellationToken = default) =>
        new(await StartAsync(TestIds.Count, Encode(start), cancellationToken), Format);

    public ValueTask<string> WaitAsync(string tag, CancellationToken cancellationToken = default) =>
        CallAsync<string>(TestIds.Wait, Encode(tag), cancellationToken);

    public ValueTask PublishAsync(int tick, CancellationToken cancellationToken = default) =>
        CallAsync(TestIds.Publish, Encode(tick), cancellationToken);

    public ValueTask<string> SecretAsync(CancellationToken cancellationToken = default) =>
        CallAsync<string>(TestIds.Secret, NoBody(), cancellationToken);

    public ValueTask SendLogAsync(string text, CancellationToken cancellationToken = default) =>
        SendStreamAsync(TestIds.Log, Encode(text), cancellationToken);

    public IAsyncEnumerable<TestStream> ReadStreamsAsync(CancellationToken cancellationToken = default) =>
        ReadStreamsAsync(TestStream.Decode, cancellationToken);

    /// <summary>What a client of another version of the interface would call: a service this server may not have.</summary>
    public ValueTask CallServiceAsync(int serviceId, CancellationToken cancellationToken = default) =>
        CallAsync(serviceId, NoBody(), cancellationToken);
}

/// <summary>A hand-written call object for Count, shaped like a generated one.</summary>
public sealed class CountCall(SentRequest<StreamBody> request, IRpcFormat format) : RpcCallBase<StreamBody, CountUpdate>(request, format)
{
    protected override CountUpdate DecodeUpdate(Message<StreamBody> update) => CountUpdate.Decode(Format, update);

    public ValueTask SendAdjustAsync(int delta, CancellationToken cancellationToken = default) =>
        SendUpdateAsync(TestIds.Adjust, delta, cancellationToken);

    public ValueTask<CountResult> ReceiveResponseAsync(CancellationToken cancellationToken = default) =>
        ReceiveResponseAsync<CountResult>(cancellationToken);
}
