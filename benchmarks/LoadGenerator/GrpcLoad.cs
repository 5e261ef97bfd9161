using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using Grpc.Net.Client;
using LoadGenerator.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>
/// The same echo on gRPC for .NET: a Kestrel server on 127.0.0.1 (HTTP/2 without TLS) and a Grpc.Net.Client channel on one
/// HTTP/2 connection, as unary calls (one task per call in flight) or over one bidirectional stream.
/// </summary>
internal static class GrpcLoad
{
    public static async Task<LoadResult> RunAsync(bool stream, int inFlight, int requests, int bodySize)
    {
        var (app, address) = await StartServerAsync(inFlight);
        await using (app)
        {
            try
            {
                using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
                {
                    HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
                    MaxReceiveMessageSize = null,
                    MaxSendMessageSize = null,
                });
                var client = new Echo.EchoClient(channel);
                var message = new EchoMessage { Body = ByteString.CopyFrom(new byte[bodySize]) };
                var scenario = stream ? "grpc-stream" : "grpc-unary";
                Func<long[], Task> load = stream
                    ? latencies => StreamAsync(client, message, inFlight, latencies)
                    : latencies => UnaryAsync(client, message, inFlight, latencies);

                await load(new long[Math.Min(requests / 10, 20_000)]);
                var measured = new long[requests];
                var meter = Meter.Start();
                await load(measured);
                return meter.Stop(scenario, inFlight, bodySize, measured);
            }
            finally
            {
                await app.StopAsync();
            }
        }
    }

    /// <summary>
    /// The Kestrel echo server, started on 127.0.0.1 with a free port (also what <c>serve-grpc</c> runs in its own
    /// process for the native load generator); returns it and its address (http://127.0.0.1:PORT).
    /// </summary>
    public static async Task<(WebApplication App, string Address)> StartServerAsync(int inFlight)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, endpoint => endpoint.Protocols = HttpProtocols.Http2);
            // Every call in flight on the one connection: the default limit is 100 streams.
            kestrel.Limits.Http2.MaxStreamsPerConnection = Math.Max(100, inFlight * 2);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = null;
            options.MaxSendMessageSize = null;
        });
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    // Like the engine's client: one task per call in flight, each making its next call when its response is back.
    private static async Task UnaryAsync(Echo.EchoClient client, EchoMessage message, int inFlight, long[] latencies)
    {
        var next = -1;
        var workers = new Task[inFlight];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < latencies.Length)
                {
                    var started = Stopwatch.GetTimestamp();
                    await client.UnaryAsync(message);
                    latencies[index] = Stopwatch.GetTimestamp() - started;
                }
            });
        }

        await Task.WhenAll(workers);
    }

    // One call: a writer keeps `inFlight` messages outstanding, the reader gives a credit back for each echo (in order).
    private static async Task StreamAsync(Echo.EchoClient client, EchoMessage message, int inFlight, long[] latencies)
    {
        using var call = client.Stream();
        var sentAt = new long[latencies.Length];
        using var credits = new SemaphoreSlim(inFlight);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < latencies.Length; i++)
            {
                await credits.WaitAsync();
                sentAt[i] = Stopwatch.GetTimestamp();
                await call.RequestStream.WriteAsync(message);
            }

            await call.RequestStream.CompleteAsync();
        });

        for (var i = 0; i < latencies.Length; i++)
        {
            if (!await call.ResponseStream.MoveNext(CancellationToken.None))
                throw new EndOfStreamException("The gRPC echo stream ended early.");
            latencies[i] = Stopwatch.GetTimestamp() - Volatile.Read(ref sentAt[i]);
            credits.Release();
        }

        await writer;
    }
}
