using System.Text;
using System.Text.Json;
using FizyrRpc.Samples.Conformance;
using FizyrRpc.Tests.TestSupport;

namespace FizyrRpc.Tests.Cli;

/// <summary>
/// <c>fizyr-rpc listen</c>, installed as a user installs the tool, driven by the library as a client over TCP, Unix
/// stream and Unix seqpacket: what it prints, what it answers, and a clean stop on Ctrl+C.
/// </summary>
public class CliListenTests
{
    public static IEnumerable<EndpointKind> AllKinds => CliCallTests.AllKinds;

    [TestCaseSource(nameof(AllKinds))]
    public async Task ListenPrintsRequestsAndStreamsAndAnswersWithAnError(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);   // only for its temp folder and transport check
        await using var listen = await CliTool.StartAsync("listen", server.FreeAddress("listen.sock"));
        var address = await listen.ListeningAddressAsync();
        var client = new Client();

        await CliServer.ConnectAsync(address, client);
        var request = await listen.NextLineAsync();
        var stream = await listen.NextLineAsync();
        var result = await listen.StopAsync();

        Assert.That(client.Response, Is.EqualTo((-1, "fizyr-rpc listen only prints requests; it serves none (run it with --echo to echo them)")));
        Assert.That(request, Is.EqualTo("request 7 hello"));
        Assert.That(stream, Is.EqualTo("stream 9 0x00ff"));
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Lines, Has.Length.EqualTo(3), result.ToString());
        Assert.That(result.Error, Does.Contain("connection 1"));
    }

    [TestCaseSource(nameof(AllKinds))]
    public async Task ListenEchoAnswersWithTheRequestAndPrintsJson(EndpointKind kind)
    {
        await using var server = await CliServer.StartAsync(kind);
        await using var listen = await CliTool.StartAsync("listen", server.FreeAddress("listen.sock"), "--echo", "--json");
        var address = await listen.ListeningAddressAsync();
        var client = new Client();

        await CliServer.ConnectAsync(address, client);
        var request = JsonDocument.Parse(await listen.NextLineAsync()).RootElement;
        var stream = JsonDocument.Parse(await listen.NextLineAsync()).RootElement;
        var result = await listen.StopAsync();

        Assert.That(client.Response, Is.EqualTo((7, "hello")));
        Assert.That(client.EchoedStream, Is.EqualTo((9, "00ff")));
        Assert.That(request.GetProperty("type").GetString(), Is.EqualTo("request"));
        Assert.That(request.GetProperty("service_id").GetInt32(), Is.EqualTo(7));
        Assert.That(request.GetProperty("request_id").GetUInt32(), Is.EqualTo(client.RequestId));
        Assert.That(request.GetProperty("connection").GetInt32(), Is.EqualTo(1));
        Assert.That(request.GetProperty("body_text").GetString(), Is.EqualTo("hello"));
        Assert.That(stream.GetProperty("type").GetString(), Is.EqualTo("stream"));
        Assert.That(stream.GetProperty("body_hex").GetString(), Is.EqualTo("00ff"));
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
    }

    /// <summary>Sends request 7 "hello" and waits for its response, then stream 9 [0x00, 0xff] (with --echo, waits for it to come back).</summary>
    private sealed class Client : CliServer.IClient
    {
        public (int ServiceId, string Body) Response { get; private set; }

        public (int ServiceId, string Hex)? EchoedStream { get; private set; }

        public uint RequestId { get; private set; }

        public async Task RunAsync<TBody>(PeerHandle<TBody> peer)
            where TBody : IMessageBody<TBody>
        {
            using (var request = await peer.SendRequestAsync(7, TBody.FromBytes("hello"u8.ToArray())))
            {
                RequestId = request.RequestId;
                var response = await request.ReceiveResponseAsync().AsTask().WaitAsync(CliTool.RunTimeout);
                using (response.Body)
                    Response = (response.ServiceId, Encoding.UTF8.GetString(response.Body.Data.Span));
            }

            await peer.SendStreamAsync(9, TBody.FromBytes(new byte[] { 0x00, 0xff }));
            if (Response.ServiceId == 7)
            {
                var echoed = await peer.ReceiveMessageAsync().AsTask().WaitAsync(CliTool.RunTimeout);
                using (echoed.Message.Body)
                    EchoedStream = (echoed.Header.ServiceId, Convert.ToHexStringLower(echoed.Message.Body.Data.Span));
            }
        }
    }
}
