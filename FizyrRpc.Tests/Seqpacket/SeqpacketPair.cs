using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>Which side of a pair sends the request (or the message under test).</summary>
public enum Direction
{
    ClientToServer,
    ServerToClient,
}

/// <summary>
/// Two connected seqpacket peers over a socket in a fresh temp folder (the listener is already gone). Disposing closes
/// both, waits for them to end, and removes the folder.
/// </summary>
internal sealed class SeqpacketPair : IAsyncDisposable
{
    /// <summary>The service ID of the empty requests <see cref="RoundTripAsync"/> sends.</summary>
    public const int RoundTripService = 999;

    private readonly TempFolder _folder;

    private SeqpacketPair(PeerHandle<UnixBody> client, PeerHandle<UnixBody> server, UnixConnectionInfo acceptedInfo, TempFolder folder)
    {
        Client = client;
        Server = server;
        AcceptedInfo = acceptedInfo;
        _folder = folder;
    }

    /// <summary>The peer that connected.</summary>
    public PeerHandle<UnixBody> Client { get; }

    /// <summary>The peer the listener accepted.</summary>
    public PeerHandle<UnixBody> Server { get; }

    /// <summary>What the listener reported about the accepted connection.</summary>
    public UnixConnectionInfo AcceptedInfo { get; }

    /// <summary>The socket path the pair connected over (already removed from the folder).</summary>
    public string SocketPath => _folder.SocketPath;

    /// <summary>Connects a pair; the server side uses <paramref name="serverConfig"/> when given, else <paramref name="config"/>.</summary>
    public static async Task<SeqpacketPair> ConnectAsync(UnixConfig? config = null, UnixConfig? serverConfig = null, PeerOptions? options = null)
    {
        var folder = TempFolder.Create();
        try
        {
            using var timeout = new CancellationTokenSource(Waits.Timeout);
            await using var listener = await UnixSeqpacketPeer.BindAsync(folder.SocketPath, serverConfig ?? config, options);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            PeerHandle<UnixBody> client;
            try
            {
                client = await UnixSeqpacketPeer.ConnectAsync(folder.SocketPath, config, options, timeout.Token);
            }
            catch
            {
                await timeout.CancelAsync();
                await Task.WhenAny(accept);
                throw;
            }

            var (server, info) = await accept;
            return new SeqpacketPair(client, server, info, folder);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>The requester and the responder for <paramref name="direction"/>.</summary>
    public (PeerHandle<UnixBody> Requester, PeerHandle<UnixBody> Responder) Sides(Direction direction) =>
        direction == Direction.ClientToServer ? (Client, Server) : (Server, Client);

    /// <summary>
    /// <paramref name="asker"/> sends an empty request, <paramref name="answerer"/> (with nothing else unread) answers
    /// it, and the answer arrives. A message of <paramref name="answerer"/> that <paramref name="asker"/> had already
    /// received was written in an earlier batch of the write loop than the answer, and a batch's bodies are disposed
    /// before the next batch is written: so once the answer is here, the descriptors that message carried are closed on
    /// the sending side. This is how a test waits, without sleeping, until a sender has closed what it handed over.
    /// </summary>
    public static async Task RoundTripAsync(PeerHandle<UnixBody> asker, PeerHandle<UnixBody> answerer)
    {
        using var sent = await asker.SendRequestAsync(RoundTripService, UnixBody.FromBytes(ReadOnlyMemory<byte>.Empty)).WithTimeout();
        var received = await answerer.ReceiveMessageAsync().WithTimeout();
        Assert.That(received.IsRequest && received.Header.ServiceId == RoundTripService, Is.True, $"expected the round trip request, got {received}");
        using (var request = received.Request!)
            await request.SendResponseAsync(RoundTripService, UnixBody.FromBytes(ReadOnlyMemory<byte>.Empty)).WithTimeout();
        var response = await sent.ReceiveResponseAsync().WithTimeout();
        Assert.That(response.Header.ServiceId, Is.EqualTo(RoundTripService));
    }

    /// <summary>Two connected raw seqpacket sockets, no peer on either, and the folder of their (removed) listening socket.</summary>
    public static async Task<(Socket A, Socket B, TempFolder Folder)> SocketPairAsync()
    {
        var folder = TempFolder.Create();
        try
        {
            using var timeout = new CancellationTokenSource(Waits.Timeout);
            using var listener = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(folder.SocketPath));
            listener.Listen(1);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            var a = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
            try
            {
                await a.ConnectAsync(new UnixDomainSocketEndPoint(folder.SocketPath), timeout.Token);
            }
            catch
            {
                a.Dispose();
                await timeout.CancelAsync();
                await Task.WhenAny(accept);
                throw;
            }

            return (a, await accept, folder);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DisposeAsync().AsTask().WaitAsync(Waits.Timeout);
            await Server.DisposeAsync().AsTask().WaitAsync(Waits.Timeout);
        }
        finally
        {
            _folder.Dispose();
        }
    }
}
