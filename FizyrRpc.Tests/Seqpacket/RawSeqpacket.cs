using System.Net.Sockets;
using System.Runtime.InteropServices;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// A raw seqpacket socket connected to a real peer (the accepted side), to send hand-made datagrams with any
/// descriptors and to see exactly what the peer writes. Disposing closes the peer, the socket and the temp folder.
/// </summary>
internal sealed class RawSeqpacket : IAsyncDisposable
{
    private readonly TempFolder _folder;

    private RawSeqpacket(Socket socket, PeerHandle<UnixBody> peer, Endian endian, TempFolder folder)
    {
        Socket = socket;
        Peer = peer;
        Endian = endian;
        _folder = folder;
    }

    public Socket Socket { get; }

    /// <summary>The real peer at the other end.</summary>
    public PeerHandle<UnixBody> Peer { get; }

    /// <summary>The byte order the raw side encodes and decodes headers in (the peer's).</summary>
    public Endian Endian { get; }

    public static async Task<RawSeqpacket> ConnectAsync(UnixConfig? config = null, PeerOptions? options = null)
    {
        var folder = TempFolder.Create();
        try
        {
            using var timeout = new CancellationTokenSource(Waits.Timeout);
            await using var listener = await UnixSeqpacketPeer.BindAsync(folder.SocketPath, config, options);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            var socket = new Socket(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(folder.SocketPath), timeout.Token);
            }
            catch
            {
                socket.Dispose();
                await timeout.CancelAsync();
                await Task.WhenAny(accept);
                throw;
            }

            var (peer, _) = await accept;
            return new RawSeqpacket(socket, peer, config?.Endian ?? Endian.Native, folder);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>The bytes of a message: header in <see cref="Endian"/>, then the body.</summary>
    public byte[] Encode(MessageHeader header, ReadOnlySpan<byte> body)
    {
        var datagram = new byte[MessageHeader.Size + body.Length];
        header.Encode(datagram, Endian);
        body.CopyTo(datagram.AsSpan(MessageHeader.Size));
        return datagram;
    }

    /// <summary>Sends one datagram of exactly these bytes, without descriptors.</summary>
    public void Send(byte[] datagram)
    {
        var sent = Socket.Send(datagram);
        Assert.That(sent, Is.EqualTo(datagram.Length), "a seqpacket send is all or nothing");
    }

    /// <summary>
    /// Sends one datagram with <paramref name="descriptors"/> as SCM_RIGHTS. The caller keeps its handles: the datagram
    /// carries new references to the same files.
    /// </summary>
    public void Send(byte[] datagram, params SafeHandle[] descriptors)
    {
        while (!DatagramIo.TrySend(Socket, datagram, descriptors))
        {
            // The socket buffer is full until the peer reads: wait for room.
            if (!Socket.Poll(Waits.Timeout, SelectMode.SelectWrite))
                throw new TimeoutException("The raw socket stayed full.");
        }
    }

    /// <summary>Sends a message (header in <see cref="Endian"/>) with optional descriptors.</summary>
    public void SendMessage(MessageHeader header, ReadOnlySpan<byte> body, params SafeHandle[] descriptors)
    {
        if (descriptors.Length == 0)
            Send(Encode(header, body));
        else
            Send(Encode(header, body), descriptors);
    }

    /// <summary>Receives the next datagram the peer wrote, with its descriptors.</summary>
    public Task<RawDatagram> ReceiveAsync() => RawDatagram.ReceiveAsync(Socket, Endian);

    /// <summary>Expects the peer to have closed its end: the next receive is end of stream.</summary>
    public async Task SeesEndOfStreamAsync()
    {
        using var datagram = await ReceiveAsync();
        Assert.That(datagram.IsEndOfStream, Is.True, $"expected end of stream, got {datagram.Data.Length} bytes and {datagram.Descriptors.Length} descriptors");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Peer.DisposeAsync().AsTask().WaitAsync(Waits.Timeout);
        }
        finally
        {
            Socket.Dispose();
            _folder.Dispose();
        }
    }
}
