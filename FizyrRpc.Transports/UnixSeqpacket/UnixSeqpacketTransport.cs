using System.Buffers;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Transports;

/// <summary>
/// The Unix seqpacket transport: one datagram per message (12-byte header, then the body, no length prefix), with file
/// descriptors as SCM_RIGHTS ancillary data. A datagram that is malformed (too short, truncated, too many descriptors)
/// is dropped and reported, and its descriptors closed; the socket stays usable, since a datagram boundary cannot be lost.
/// </summary>
public sealed class UnixSeqpacketTransport : IPeerTransport<UnixBody>
{
    private const int MaxDatagramsPerSend = 64;

    private readonly Socket _socket;
    private readonly Endian _endian;
    private readonly int _maxBodyRead;
    private readonly int _maxBodyWrite;
    private readonly int _maxDescriptorsWrite;
    private readonly int _maxDescriptorsRead;
    private readonly byte[] _receiveBuffer;
    private readonly int[] _receivedDescriptors;
    private readonly MemoryHandle[] _pins = new MemoryHandle[MaxDatagramsPerSend * 2];
    private SocketMessages.OutgoingDatagram[] _datagrams = [];
    private byte[] _headers = [];

    /// <summary>Creates a transport over a connected seqpacket socket, which it owns from now on.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux (64-bit).</exception>
    public UnixSeqpacketTransport(Socket socket, UnixConfig? config = null, ConnectionInfo? connectionInfo = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        UnixSeqpacketPeer.ThrowIfNotSupported();
        config ??= UnixConfig.Default;
        config.Validate();
        _socket = socket;
        _endian = config.Endian;
        _maxBodyRead = config.MaxBodyLengthRead;
        _maxBodyWrite = config.MaxBodyLengthWrite;
        _maxDescriptorsRead = config.MaxFileDescriptorsRead;
        _maxDescriptorsWrite = config.MaxFileDescriptorsWrite;
        ConnectionInfo = connectionInfo;
        _receiveBuffer = ArrayPool<byte>.Shared.Rent(MessageHeader.Size + _maxBodyRead);
        _receivedDescriptors = new int[_maxDescriptorsRead + 1]; // room for one more tells "too many" from "just enough"
    }

    /// <inheritdoc/>
    public ConnectionInfo? ConnectionInfo { get; }

    /// <inheritdoc/>
    public async ValueTask<Message<UnixBody>?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var buffer = _receiveBuffer.AsMemory(0, MessageHeader.Size + _maxBodyRead);
        while (true)
        {
            var received = SocketMessages.Receive(_socket.SafeHandle, buffer.Span, _receivedDescriptors);
            if (!received.WouldBlock)
                return Decode(received);

            // A zero-byte peek waits for the next datagram through the socket's own event loop without consuming it.
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
        }
    }

    private Message<UnixBody>? Decode(DatagramReceive received)
    {
        var descriptors = _receivedDescriptors.AsSpan(0, received.DescriptorCount);
        if (received.Length == 0 && descriptors.IsEmpty)
            return null; // end of stream

        var error = Validate(received);
        if (error is not null)
        {
            CloseAll(descriptors);
            throw error;
        }

        MessageHeader header;
        try
        {
            header = MessageHeader.Decode(_receiveBuffer, _endian);
        }
        catch
        {
            CloseAll(descriptors);
            throw;
        }

        var bodyLength = received.Length - MessageHeader.Size;
        var bytes = bodyLength == 0 ? [] : _receiveBuffer.AsSpan(MessageHeader.Size, bodyLength).ToArray();
        var handles = new SafeFileHandle[descriptors.Length];
        for (var i = 0; i < descriptors.Length; i++)
            handles[i] = new SafeFileHandle(descriptors[i], ownsHandle: true);
        return new Message<UnixBody>(header, new UnixBody(bytes, handles));
    }

    private RpcProtocolException? Validate(DatagramReceive received)
    {
        if (received.Truncated || received.Length > MessageHeader.Size + _maxBodyRead)
            return RpcProtocolException.PayloadTooLarge(received.Length - MessageHeader.Size, _maxBodyRead, isFatal: false);
        if (received.ControlTruncated)
            return RpcProtocolException.DroppedDatagram(ProtocolError.Truncated, "The kernel truncated the file descriptors of a datagram; it was dropped.");
        if (received.DescriptorCount > _maxDescriptorsRead)
            return RpcProtocolException.DroppedDatagram(
                ProtocolError.TooManyFileDescriptors,
                $"A datagram carried more than {_maxDescriptorsRead} file descriptors; it was dropped.");
        if (received.Length < MessageHeader.Size)
            return RpcProtocolException.DroppedDatagram(
                ProtocolError.DatagramTooShort,
                $"A datagram of {received.Length} bytes is shorter than a header; it was dropped.");
        return null;
    }

    private static void CloseAll(ReadOnlySpan<int> descriptors)
    {
        foreach (var descriptor in descriptors)
            new SafeFileHandle(descriptor, ownsHandle: true).Dispose();
    }

    /// <inheritdoc/>
    public void ValidateOutgoing(in Message<UnixBody> message)
    {
        if (message.Body.Length > _maxBodyWrite)
            throw new MessageTooLargeException(message.Body.Length, _maxBodyWrite);
        var descriptors = message.Body.FileDescriptors;
        if (descriptors.Count > _maxDescriptorsWrite)
            throw new MessageTooLargeException(descriptors.Count, _maxDescriptorsWrite, "file descriptor count");
        foreach (var descriptor in descriptors)
        {
            // A bad descriptor would fail the send of the whole batch and with it the connection: refuse it here.
            if (descriptor.IsInvalid || descriptor.IsClosed)
                throw new ArgumentException("A file descriptor of the message is closed or invalid.", nameof(message));
        }
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<Message<UnixBody>> messages, CancellationToken cancellationToken)
    {
        var count = messages.Count;
        if (_headers.Length < count * MessageHeader.Size)
        {
            _headers = new byte[count * MessageHeader.Size];
            _datagrams = new SocketMessages.OutgoingDatagram[count];
        }

        for (var i = 0; i < count; i++)
        {
            var message = messages[i];
            var header = _headers.AsMemory(i * MessageHeader.Size, MessageHeader.Size);
            message.Header.Encode(header.Span, _endian);
            _datagrams[i] = new SocketMessages.OutgoingDatagram(header, message.Body.Data, DescriptorNumbers(message.Body));
        }

        var sent = 0;
        while (sent < count)
        {
            var now = SocketMessages.Send(_socket.SafeHandle, _datagrams.AsSpan(sent, count - sent), _pins);
            if (now > 0)
            {
                sent += now;
                continue;
            }

            await WaitUntilWritableAsync(_datagrams[sent], cancellationToken).ConfigureAwait(false);
            if (_datagrams[sent].Descriptors is null)
                sent++; // it was sent while waiting
        }

        Array.Clear(_datagrams, 0, count);
    }

    private static int[]? DescriptorNumbers(UnixBody body)
    {
        var handles = body.FileDescriptors;
        if (handles.Count == 0)
            return null;
        var numbers = new int[handles.Count];
        for (var i = 0; i < numbers.Length; i++)
            numbers[i] = (int)handles[i].DangerousGetHandle(); // the body stays undisposed until the write is done
        return numbers;
    }

    private async ValueTask WaitUntilWritableAsync(SocketMessages.OutgoingDatagram next, CancellationToken cancellationToken)
    {
        if (next.Descriptors is null)
        {
            // Without descriptors the Socket can send it itself, waiting for room through its own event loop.
            var datagram = new byte[next.Header.Length + next.Body.Length];
            next.Header.CopyTo(datagram);
            next.Body.CopyTo(datagram.AsMemory(next.Header.Length));
            await _socket.SendAsync(datagram, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return;
        }

        // The Socket offers no wait for writability alone: poll from the thread pool, a slice at a time.
        while (!await Task.Run(() => _socket.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectWrite), cancellationToken).ConfigureAwait(false))
            cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Closes the socket.</summary>
    public ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
        ArrayPool<byte>.Shared.Return(_receiveBuffer);
        return default;
    }
}
