using System.Net.Sockets;
using FizyrRpc.Transports;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>One datagram a raw socket received: its bytes and the descriptors that came with it (closed on dispose).</summary>
internal sealed class RawDatagram(byte[] data, SafeFileHandle[] descriptors, Endian endian) : IDisposable
{
    public byte[] Data { get; } = data;

    public SafeFileHandle[] Descriptors { get; } = descriptors;

    /// <summary>End of stream: zero bytes and no descriptors.</summary>
    public bool IsEndOfStream => Data.Length == 0 && Descriptors.Length == 0;

    public MessageHeader Header => MessageHeader.Decode(Data, endian);

    public byte[] Body => Data[MessageHeader.Size..];

    /// <summary>Receives the next datagram on <paramref name="socket"/> with its descriptors, waiting for one to arrive.</summary>
    public static async Task<RawDatagram> ReceiveAsync(Socket socket, Endian endian)
    {
        using var timeout = new CancellationTokenSource(Waits.Timeout);
        while (true)
        {
            if (DatagramIo.TryReceive(socket, 512 * 1024, UnixConfig.SystemMaxFileDescriptors) is { } received)
            {
                var datagram = new RawDatagram(received.Data, received.Descriptors, endian);
                Assert.That(received.Truncated, Is.False, "the raw receive buffers are large enough");
                return datagram;
            }

            // A zero-byte peek waits for the next datagram without taking it.
            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek, timeout.Token);
        }
    }

    public void Dispose()
    {
        foreach (var descriptor in Descriptors)
            descriptor.Dispose();
    }
}
