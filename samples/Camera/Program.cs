using FizyrRpc;
using FizyrRpc.Samples.Camera;
using FizyrRpc.Transports;

// A camera server and a robot-cell client on loopback, talking through the generated typed API.
await using var listener = await TcpPeer.BindAsync("127.0.0.1:0");
var server = new CameraServer();
var serving = Task.Run(async () =>
{
    var (peer, info) = await listener.AcceptAsync();
    Console.WriteLine($"server: connection from {info.RemoteEndPoint}");
    await server.ServeAsync(peer);
});

await using var client = new ICamera.Client(await TcpPeer.ConnectAsync(listener.LocalEndPoint));
var streams = Task.Run(async () =>
{
    await foreach (var stream in client.ReadStreamsAsync())
    {
        if (stream is ICamera.StreamMessage.RecordStateChanged changed)
            Console.WriteLine($"  stream: record state changed to '{changed.Value.Phase}' (frame {changed.Value.Frame})");
    }
});

Console.WriteLine("The interface, as introspection describes it:");
Console.Write(ICamera.Info.Describe(client.Format));

await client.PingAsync();
Console.WriteLine("ping: answered");

Console.WriteLine("record 2 frames, reading the updates as they come:");
await using (var call = await client.StartRecordAsync(new RecordRequest(ExposureMs: 20, Frames: 2)))
{
    await foreach (var update in call.ReadUpdatesAsync())
    {
        var text = update switch
        {
            ICamera.RecordResponseUpdate.State state => $"state '{state.Value.Phase}' (frame {state.Value.Frame})",
            ICamera.RecordResponseUpdate.Image image => $"image {image.Value.Frame}: {image.Value.Width}x{image.Value.Height}",
            ICamera.RecordResponseUpdate.Unknown unknown => $"an update this client does not know (ID {unknown.ServiceId})",
            _ => "?",
        };
        Console.WriteLine($"  update: {text}");
    }

    var result = await call.ReceiveResponseAsync();
    Console.WriteLine($"  response: {result.FramesRecorded} frames, cancelled: {result.Cancelled}");
}

Console.WriteLine("record 5 long frames, and cancel after the first update:");
await using (var call = await client.StartRecordAsync(new RecordRequest(ExposureMs: 10_000, Frames: 5)))
{
    var first = await call.ReceiveUpdateAsync();
    Console.WriteLine($"  update: {first}");
    await call.SendCancelAsync(new CancelReason("the cell stopped"));
    var result = await call.ReceiveResponseAsync();
    Console.WriteLine($"  response: {result.FramesRecorded} frames, cancelled: {result.Cancelled}");
}

Console.WriteLine("record with a negative exposure:");
try
{
    await client.RecordAsync(new RecordRequest(ExposureMs: -1, Frames: 1));
}
catch (RemoteErrorException error)
{
    Console.WriteLine($"  error response: {error.Message}");
}

await client.CloseAsync();
await serving;
await streams;
Console.WriteLine("done");
