using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.TestSupport;

/// <summary>The byte-stream transports a loopback pair can run over.</summary>
public enum LoopbackKind
{
    Tcp,
    Unix,
}

/// <summary>
/// Connected peers over real loopback sockets (TCP on 127.0.0.1, Unix stream sockets in a fresh temp folder), and raw
/// sockets facing a real peer for byte-level tests. Everything returned is disposed with <c>await using</c>: the
/// connections are closed, awaited, and the temp folder is removed.
/// </summary>
public static class Loopback
{
    /// <summary>How long any single wait of a test may take before it counts as a hang.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Both transports, for <c>[TestCaseSource]</c> / <c>[Values]</c>.</summary>
    public static IEnumerable<LoopbackKind> Kinds => [LoopbackKind.Tcp, LoopbackKind.Unix];

    /// <summary>A connected pair of peers over TCP on 127.0.0.1; the server side uses the server settings when given.</summary>
    public static Task<PeerPair> TcpPairAsync(
        StreamConfig? config = null,
        PeerOptions? options = null,
        StreamConfig? serverConfig = null,
        PeerOptions? serverOptions = null) =>
        PairAsync(LoopbackKind.Tcp, config, options, serverConfig, serverOptions);

    /// <summary>A connected pair of peers over a Unix stream socket in a fresh temp folder.</summary>
    public static Task<PeerPair> UnixPairAsync(
        StreamConfig? config = null,
        PeerOptions? options = null,
        StreamConfig? serverConfig = null,
        PeerOptions? serverOptions = null) =>
        PairAsync(LoopbackKind.Unix, config, options, serverConfig, serverOptions);

    /// <summary>A connected pair of peers over <paramref name="kind"/>.</summary>
    public static async Task<PeerPair> PairAsync(
        LoopbackKind kind,
        StreamConfig? config = null,
        PeerOptions? options = null,
        StreamConfig? serverConfig = null,
        PeerOptions? serverOptions = null)
    {
        serverConfig ??= config;
        serverOptions ??= options;
        using var timeout = new CancellationTokenSource(Timeout);
        if (kind == LoopbackKind.Tcp)
        {
            await using var listener = await TcpPeer.BindAsync("127.0.0.1:0", serverConfig, serverOptions);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            var client = await ConnectOrCancelAsync(
                () => TcpPeer.ConnectAsync(listener.LocalEndPoint, config, options, timeout.Token), accept, timeout);
            var (server, info) = await accept;
            return new PeerPair(kind, client, server, info, null);
        }

        var folder = TempFolder.Create();
        try
        {
            await using var listener = await UnixStreamPeer.BindAsync(folder.SocketPath, serverConfig, serverOptions);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            var client = await ConnectOrCancelAsync(
                () => UnixStreamPeer.ConnectAsync(folder.SocketPath, config, options, timeout.Token), accept, timeout);
            var (server, info) = await accept;
            return new PeerPair(kind, client, server, info, folder);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>A raw TCP socket connected to a real peer (the accepted side), for byte-level tests.</summary>
    public static Task<RawPeer> RawTcpAsync(StreamConfig? config = null, PeerOptions? options = null) =>
        RawAsync(LoopbackKind.Tcp, config, options);

    /// <summary>A raw Unix stream socket connected to a real peer (the accepted side).</summary>
    public static Task<RawPeer> RawUnixAsync(StreamConfig? config = null, PeerOptions? options = null) =>
        RawAsync(LoopbackKind.Unix, config, options);

    /// <summary>A raw socket of <paramref name="kind"/> connected to a real peer (the accepted side).</summary>
    public static async Task<RawPeer> RawAsync(LoopbackKind kind, StreamConfig? config = null, PeerOptions? options = null)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var endian = config?.Endian ?? Endian.Little;
        if (kind == LoopbackKind.Tcp)
        {
            await using var listener = await TcpPeer.BindAsync("127.0.0.1:0", config, options);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await ConnectRawOrCancelAsync(socket, listener.LocalEndPoint, accept, timeout);
            var (peer, info) = await accept;
            return new RawPeer(socket, peer, info, endian, null);
        }

        var folder = TempFolder.Create();
        try
        {
            await using var listener = await UnixStreamPeer.BindAsync(folder.SocketPath, config, options);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await ConnectRawOrCancelAsync(socket, new UnixDomainSocketEndPoint(folder.SocketPath), accept, timeout);
            var (peer, info) = await accept;
            return new RawPeer(socket, peer, info, endian, folder);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Two connected raw sockets of <paramref name="kind"/>, no peer on either: for tests that build a peer themselves
    /// (<c>Peer.Create</c> / <c>Peer.Start</c> with a <see cref="StreamTransport"/>). The listening socket is already closed.
    /// </summary>
    public static async Task<SocketPair> SocketPairAsync(LoopbackKind kind)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var folder = kind == LoopbackKind.Unix ? TempFolder.Create() : null;
        try
        {
            EndPoint endPoint = folder is null ? new IPEndPoint(IPAddress.Loopback, 0) : new UnixDomainSocketEndPoint(folder.SocketPath);
            using var listener = folder is null
                ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(endPoint);
            listener.Listen(1);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            var client = folder is null
                ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
                : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await ConnectRawOrCancelAsync(client, listener.LocalEndPoint!, accept, timeout);
            var server = await accept;
            if (folder is null)
                server.NoDelay = true;
            return new SocketPair(kind, client, server, folder);
        }
        catch
        {
            folder?.Dispose();
            throw;
        }
    }

    /// <summary>Connects; if that fails, the pending accept is cancelled and observed so nothing is left running.</summary>
    private static async Task<PeerHandle<StreamBody>> ConnectOrCancelAsync<TAccepted>(
        Func<Task<PeerHandle<StreamBody>>> connect,
        Task<TAccepted> accept,
        CancellationTokenSource timeout)
    {
        try
        {
            return await connect();
        }
        catch
        {
            await timeout.CancelAsync();
            await Task.WhenAny(accept);
            throw;
        }
    }

    private static async Task ConnectRawOrCancelAsync<TAccepted>(
        Socket socket,
        EndPoint endPoint,
        Task<TAccepted> accept,
        CancellationTokenSource timeout)
    {
        try
        {
            await socket.ConnectAsync(endPoint, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            await timeout.CancelAsync();
            await Task.WhenAny(accept);
            throw;
        }
    }

    /// <summary>Closes a connection and waits for it to end, failing instead of hanging.</summary>
    internal static async Task CloseAndWaitAsync(PeerHandle<StreamBody> peer)
    {
        await peer.DisposeAsync().AsTask().WaitAsync(Timeout);
        // Also ends a connection whose handles a test split and still holds.
        await peer.CloseAsync().WaitAsync(Timeout);
    }
}

/// <summary>Two connected peers: <see cref="Client"/> connected, <see cref="Server"/> was accepted.</summary>
public sealed class PeerPair : IAsyncDisposable
{
    private readonly TempFolder? _folder;

    internal PeerPair(LoopbackKind kind, PeerHandle<StreamBody> client, PeerHandle<StreamBody> server, ConnectionInfo acceptedInfo, TempFolder? folder)
    {
        Kind = kind;
        Client = client;
        Server = server;
        AcceptedInfo = acceptedInfo;
        _folder = folder;
    }

    public LoopbackKind Kind { get; }

    /// <summary>The side that connected.</summary>
    public PeerHandle<StreamBody> Client { get; }

    /// <summary>The side the listener accepted.</summary>
    public PeerHandle<StreamBody> Server { get; }

    /// <summary>What the listener's accept returned about the connection (TcpConnectionInfo or UnixConnectionInfo).</summary>
    public ConnectionInfo AcceptedInfo { get; }

    public void Deconstruct(out PeerHandle<StreamBody> client, out PeerHandle<StreamBody> server)
    {
        client = Client;
        server = Server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // The server is left to see the end of stream and close by itself, so its close reason is the usual
            // ClosedByRemote (a simultaneous local close once raced inside PeerConnection.Close: Peer/CloseRaceTests).
            await Loopback.CloseAndWaitAsync(Client);
            await Server.Completion.WaitAsync(Loopback.Timeout);
            await Loopback.CloseAndWaitAsync(Server);
        }
        finally
        {
            _folder?.Dispose();
        }
    }

    public override string ToString() => Kind.ToString();
}

/// <summary>
/// A raw socket (<see cref="Socket"/>) connected to a real peer (<see cref="Peer"/>): the test plays the remote byte
/// by byte. Every read waits at most <see cref="Loopback.Timeout"/>.
/// </summary>
public sealed class RawPeer : IAsyncDisposable
{
    private readonly TempFolder? _folder;

    internal RawPeer(Socket socket, PeerHandle<StreamBody> peer, ConnectionInfo acceptedInfo, Endian endian, TempFolder? folder)
    {
        Socket = socket;
        Peer = peer;
        AcceptedInfo = acceptedInfo;
        Endian = endian;
        _folder = folder;
    }

    /// <summary>
    /// Pairs the raw <see cref="SocketPair.Client"/> with a peer the test built over <see cref="SocketPair.Server"/>.
    /// Disposing the result closes the raw socket and the peer; the socket pair still owns its temp folder.
    /// </summary>
    public static RawPeer Over(SocketPair sockets, PeerHandle<StreamBody> peer, Endian endian = Endian.Little) =>
        new(sockets.Client, peer, sockets.ServerInfo, endian, null);

    /// <summary>The raw end the test drives.</summary>
    public Socket Socket { get; }

    /// <summary>The library's peer at the other end.</summary>
    public PeerHandle<StreamBody> Peer { get; }

    /// <summary>What the listener's accept returned about the connection.</summary>
    public ConnectionInfo AcceptedInfo { get; }

    /// <summary>The byte order the peer was configured with (used by the frame helpers).</summary>
    public Endian Endian { get; }

    /// <summary>Sends all of <paramref name="bytes"/>.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        while (!bytes.IsEmpty)
        {
            var sent = await Socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Sends one framed message in the peer's byte order.</summary>
    public Task SendFrameAsync(MessageHeader header, ReadOnlySpan<byte> body = default) => SendAsync(Frame(header, body, Endian));

    /// <summary>Receives exactly <paramref name="count"/> bytes.</summary>
    /// <exception cref="EndOfStreamException">The peer closed the connection first.</exception>
    public async Task<byte[]> ReceiveExactlyAsync(int count)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        var received = 0;
        while (received < count)
        {
            var n = await Socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
            if (n == 0)
                throw new EndOfStreamException($"The peer closed the connection after {received} of {count} bytes.");
            received += n;
        }

        return buffer;
    }

    /// <summary>Receives one whole frame, length prefix included, exactly as the peer wrote it.</summary>
    public async Task<byte[]> ReceiveFrameBytesAsync()
    {
        var prefix = await ReceiveExactlyAsync(StreamFraming.LengthPrefixSize);
        var length = Endian == Endian.Big || (Endian == Endian.Native && !BitConverter.IsLittleEndian)
            ? BinaryPrimitives.ReadUInt32BigEndian(prefix)
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        if (length < MessageHeader.Size)
            throw new InvalidDataException($"The peer wrote a frame length of {length}.");
        var rest = await ReceiveExactlyAsync(checked((int)length));
        return [.. prefix, .. rest];
    }

    /// <summary>Receives one message: its decoded header and its body bytes.</summary>
    public async Task<(MessageHeader Header, byte[] Body)> ReceiveMessageAsync()
    {
        var frame = await ReceiveFrameBytesAsync();
        var header = MessageHeader.Decode(frame.AsSpan(StreamFraming.LengthPrefixSize), Endian);
        return (header, frame[StreamFraming.PrefixAndHeaderSize..]);
    }

    /// <summary>Reads until the peer closes its end; returns whatever arrived before that.</summary>
    public async Task<byte[]> ReceiveToEndAsync()
    {
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        var all = new List<byte>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
                return [.. all];
            all.AddRange(buffer.AsSpan(0, n));
        }
    }

    /// <summary>The framed bytes of a message, in <paramref name="endian"/>.</summary>
    public static byte[] Frame(MessageHeader header, ReadOnlySpan<byte> body, Endian endian)
    {
        var frame = new byte[StreamFraming.PrefixAndHeaderSize + body.Length];
        StreamFraming.WritePrefixAndHeader(frame, header, body.Length, endian);
        body.CopyTo(frame.AsSpan(StreamFraming.PrefixAndHeaderSize));
        return frame;
    }

    public async ValueTask DisposeAsync()
    {
        // The peer closes first while the raw end drains what it still writes, so a graceful close never waits out
        // its shutdown timeout and the close reason is ClosedLocally.
        var drain = DrainAsync();
        try
        {
            await Loopback.CloseAndWaitAsync(Peer);
            await drain;
        }
        finally
        {
            Socket.Dispose();
            _folder?.Dispose();
        }
    }

    private async Task DrainAsync()
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        try
        {
            while (await Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            // The test closed or broke the raw end itself.
        }
    }
}

/// <summary>Two connected raw sockets; disposing closes both (unless a transport took one over) and removes the temp folder.</summary>
public sealed class SocketPair : IDisposable
{
    private readonly TempFolder? _folder;

    internal SocketPair(LoopbackKind kind, Socket client, Socket server, TempFolder? folder)
    {
        Kind = kind;
        Client = client;
        Server = server;
        _folder = folder;
    }

    public LoopbackKind Kind { get; }

    /// <summary>The socket that connected.</summary>
    public Socket Client { get; }

    /// <summary>The socket the listener accepted.</summary>
    public Socket Server { get; }

    /// <summary>What a listener would report about <see cref="Server"/>'s connection (credentials left out for Unix).</summary>
    public ConnectionInfo ServerInfo => _folder is null
        ? new TcpConnectionInfo((IPEndPoint)Server.LocalEndPoint!, (IPEndPoint)Server.RemoteEndPoint!)
        : new UnixConnectionInfo(_folder.SocketPath, null);

    public void Dispose()
    {
        try
        {
            Client.Dispose();
            Server.Dispose();
        }
        finally
        {
            _folder?.Dispose();
        }
    }

    public override string ToString() => Kind.ToString();
}

/// <summary>A fresh temp folder for a Unix socket path, removed with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    private TempFolder(string path) => FolderPath = path;

    public string FolderPath { get; }

    /// <summary>A socket path inside the folder (short, to stay under the 108-byte sun_path limit).</summary>
    public string SocketPath => Path.Combine(FolderPath, "peer.sock");

    public static TempFolder Create() => new(Directory.CreateTempSubdirectory("fizyr-").FullName);

    public void Dispose()
    {
        if (Directory.Exists(FolderPath))
            Directory.Delete(FolderPath, recursive: true);
    }
}
