using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Typed;

/// <summary>Typed stream messages both ways, and what a client does with the requests it cannot serve.</summary>
[TestFixtureSource(typeof(Loopback), nameof(Loopback.Kinds))]
public class StreamTests(LoopbackKind kind)
{
    [Test]
    public async Task ClientStreamsReachTheServersStreamHandler()
    {
        await using var served = await ServedPair.StartAsync(kind);
        await served.Client.SendLogAsync("first").Within();
        await served.Client.WriteHandle.SendStreamAsync(55, new byte[] { 0xc0 }).Within();
        await served.Client.SendLogAsync("second").Within();

        var reader = served.Server.Streams.Reader;
        Assert.That(await reader.ReadAsync().Within(), Is.EqualTo(new TestStream.Log("first")));
        var unknown = await reader.ReadAsync().Within();
        Assert.That(unknown, Is.TypeOf<TestStream.Unknown>());
        Assert.That(((TestStream.Unknown)unknown).ServiceId, Is.EqualTo(55));
        Assert.That(await reader.ReadAsync().Within(), Is.EqualTo(new TestStream.Log("second")));
    }

    [Test]
    public async Task ServerStreamsAreDecodedByTheClient()
    {
        await using var served = await ServedPair.StartAsync(kind);
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        await using var streams = served.Client.ReadStreamsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        await served.Client.PublishAsync(9).Within();
        await served.Client.PublishAsync(10).Within();
        Assert.That(await streams.NextAsync(), Is.EqualTo(new TestStream.Tick(9)));
        Assert.That(await streams.NextAsync(), Is.EqualTo(new TestStream.Tick(10)));
    }

    [Test]
    public async Task UndeclaredStreamsAreUnknownWithTheirBytes()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await using var client = new TestClient(pair.Client);
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        await using var streams = client.ReadStreamsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        await pair.Server.SendStreamAsync(-5, new byte[] { 7, 8 }).Within();
        await pair.Server.SendStreamAsync(TestIds.Log, MessagePackFormat.Default.Encode("text")).Within();
        var unknown = (TestStream.Unknown)await streams.NextAsync();
        Assert.That((unknown.ServiceId, unknown.Body), Is.EqualTo((-5, new byte[] { 7, 8 })));
        Assert.That(await streams.NextAsync(), Is.EqualTo(new TestStream.Log("text")));
    }

    [Test]
    public async Task RequestsToAClientAreAnsweredWithAnErrorAndStreamsGoOn()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await using var client = new TestClient(pair.Client);
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        await using var streams = client.ReadStreamsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = streams.MoveNextAsync().AsTask();

        using var request = await pair.Server.SendRequestAsync(3, new byte[] { 0xc0 }).Within();
        var response = await request.ReceiveResponseAsync().Within();
        Assert.That(response.IsErrorResponse, Is.True);
        Assert.That(response.GetErrorMessage(), Is.EqualTo("unexpected request for service 3"));

        await pair.Server.SendStreamAsync(TestIds.Tick, MessagePackFormat.Default.Encode(1)).Within();
        Assert.That(await next.Within(), Is.True);
        Assert.That(streams.Current, Is.EqualTo(new TestStream.Tick(1)));
        Assert.That(pair.Client.OpenReceivedRequests, Is.Zero);
    }

    [Test]
    public async Task ReadStreamsEndsWhenTheConnectionCloses()
    {
        await using var pair = await Loopback.PairAsync(kind);
        await using var client = new TestClient(pair.Client);
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        await using var streams = client.ReadStreamsAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        await pair.Server.SendStreamAsync(TestIds.Tick, MessagePackFormat.Default.Encode(2)).Within();
        await pair.Server.CloseAsync().Within();
        Assert.That(await streams.NextAsync(), Is.EqualTo(new TestStream.Tick(2)), "what came before the close");
        Assert.That(await streams.MoveNextAsync().AsTask().Within(), Is.False);
    }

    [Test]
    public async Task AClientBuiltFromAWriteHandleReadsNothing()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var (read, write) = pair.Client.Split();
        await using var readHandle = read;
        await using var client = new TestClient(write);

        Assert.That(client.ReadHandle, Is.Null);
        Assert.That(client.WriteHandle, Is.SameAs(write));
        await using var streams = client.ReadStreamsAsync().GetAsyncEnumerator();
        await TestWaits.ThrowsAsync<InvalidOperationException>(() => streams.MoveNextAsync().AsTask());
    }

    [Test]
    public async Task AClientBuiltFromAWriteHandleStillCallsAndSends()
    {
        await using var pair = await Loopback.PairAsync(kind);
        var server = new TestServer();
        var serve = server.ServeAsync(pair.Server);
        var (read, write) = pair.Client.Split();
        try
        {
            await using var client = new TestClient(write);
            Assert.That(await client.AddAsync(new AddRequest(3, 4)).Within(), Is.EqualTo(7));
            await client.SendLogAsync("write only").Within();
            Assert.That(await server.Streams.Reader.ReadAsync().Within(), Is.EqualTo(new TestStream.Log("write only")));
        }
        finally
        {
            await read.DisposeAsync().AsTask().Within();
            await serve.Within();
        }
    }
}
