using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// The floor: the same load (same frames, body size, requests in flight and connections) written directly on Socket with
/// no library code, one loop per side of each connection (the client hands its sends to a second loop only when what is in
/// flight outgrows the socket buffers, see <see cref="FrameSender"/>). Our engine is judged as a ratio to it, measured in
/// the same run.
/// </summary>
internal static class RawFloor
{
    public static Socket NewSocket(string transport) => transport switch
    {
        "tcp" => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true },
        "unix-stream" => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified),
        "unix-seqpacket" => new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified),
        _ => throw new ArgumentException($"Not a floor transport: '{transport}'.", nameof(transport)),
    };

    public static EndPoint EndPointOf(string transport, string address) =>
        transport == "tcp" ? IPEndPoint.Parse(address) : new UnixDomainSocketEndPoint(address);

    /// <summary>Binds and listens: on 127.0.0.1 with a free port for TCP, on <paramref name="path"/> otherwise.</summary>
    public static ILoadServer StartServer(string transport, string path, LoadSpec spec) => new Server(transport, path, spec);

    public static async Task<ILoadClient> ConnectAsync(string transport, string address, LoadSpec spec)
    {
        var sockets = new FrameSocket[spec.Connections];
        for (var i = 0; i < sockets.Length; i++)
        {
            var socket = NewSocket(transport);
            await socket.ConnectAsync(EndPointOf(transport, address));
            sockets[i] = FrameSocket.Create(socket, spec.BodySize, transport == "unix-seqpacket");
        }

        return new Client(sockets);
    }

    private sealed class Client(FrameSocket[] sockets) : ILoadClient
    {
        public async Task<long[]> RunAsync(LoadSpec spec)
        {
            if (spec.Mode == LoadMode.OneWay)
            {
                // As fast as the socket takes them; the server's single frame back says it counted them all.
                await sockets[0].SendAsync(spec.Requests);
                if (await sockets[0].ReceiveAsync() == 0)
                    throw new EndOfStreamException("The floor's server closed early.");
                return [];
            }

            return await Workers.PerConnectionAsync(sockets, spec, (socket, latencies) =>
                RequestLoopAsync(socket, socket.BufferCost(spec.InFlight * spec.RepliesPerRequest), spec.InFlight, spec.RepliesPerRequest, latencies));
        }

        public ValueTask DisposeAsync()
        {
            // Shutting down the sending side ends each server loop; then the sockets go.
            foreach (var socket in sockets)
            {
                socket.Socket.Shutdown(SocketShutdown.Send);
                socket.Dispose();
            }

            return ValueTask.CompletedTask;
        }

        // The client keeps `inFlight` requests outstanding: it sends one more for each one whose replies are all back.
        private static async Task RequestLoopAsync(FrameSocket socket, long bufferedInFlight, int inFlight, int replies, ArraySegment<long> latencies)
        {
            await using var sender = FrameSender.For(socket, bufferedInFlight);
            var requests = latencies.Count;
            var sentAt = new long[requests];
            var sent = Math.Min(inFlight, requests);
            Array.Fill(sentAt, Stopwatch.GetTimestamp(), 0, sent);
            await sender.SendAsync(sent);
            var repliesSeen = 0L;
            var completed = 0;
            while (completed < requests)
            {
                var frames = await socket.ReceiveAsync();
                if (frames == 0)
                    throw new EndOfStreamException("The floor's server closed early.");
                repliesSeen += frames;
                var now = Stopwatch.GetTimestamp();
                var done = (int)(repliesSeen / replies);
                for (var i = completed; i < done; i++)
                    latencies[i] = now - sentAt[i];
                var more = Math.Min(done - completed, requests - sent);
                completed = done;
                if (more > 0)
                {
                    Array.Fill(sentAt, now, sent, more);
                    sent += more;
                    await sender.SendAsync(more);
                }
            }
        }
    }

    private sealed class Server : ILoadServer
    {
        private readonly Socket _listener;
        private readonly Task _serving;
        private readonly OneWayCounter _oneWay;

        public Server(string transport, string path, LoadSpec spec)
        {
            _listener = NewSocket(transport);
            _listener.Bind(transport == "tcp" ? new IPEndPoint(IPAddress.Loopback, 0) : new UnixDomainSocketEndPoint(path));
            _listener.Listen(spec.Connections);
            Address = transport == "tcp" ? _listener.LocalEndPoint!.ToString()! : path;
            _oneWay = new OneWayCounter(spec);
            _serving = ServeAllAsync(transport == "unix-seqpacket", spec);
        }

        public string Address { get; }

        public Task MarkAsync() => Task.CompletedTask;

        public async Task<ServerCost> StopAsync()
        {
            // Listening stops first: accepted connections go on, and an accept still waiting (a client that never came) ends.
            _listener.Dispose();
            await _serving;
            return ServerCost.InProcess;
        }

        public long[] TakeOneWayLatencies() => _oneWay.TakeLatencies();

        private async Task ServeAllAsync(bool seqpacket, LoadSpec spec)
        {
            var loops = new List<Task>();
            for (var i = 0; i < spec.Connections; i++)
            {
                var socket = FrameSocket.Create(await _listener.AcceptAsync(), spec.BodySize, seqpacket);
                loops.Add(spec.Mode == LoadMode.OneWay ? CountAsync(socket) : ReplyAsync(socket, spec.RepliesPerRequest));
            }

            await Task.WhenAll(loops);
        }

        // Echo (1 reply) or updates then response (11 replies) per request frame, until the client shuts down.
        private static async Task ReplyAsync(FrameSocket socket, int replies)
        {
            using (socket)
            {
                int frames;
                while ((frames = await socket.ReceiveAsync()) > 0)
                    await socket.SendAsync(frames * replies);
            }
        }

        private async Task CountAsync(FrameSocket socket)
        {
            using (socket)
            {
                int frames;
                while ((frames = await socket.ReceiveAsync()) > 0)
                {
                    var now = Stopwatch.GetTimestamp();
                    for (var i = 0; i < frames; i++)
                    {
                        if (_oneWay.Count(now - socket.StampOf(i)))
                            await socket.SendAsync(1);
                    }
                }
            }
        }
    }
}
