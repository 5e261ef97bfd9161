using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    // A receive takes up to this many datagrams in one system call, as long as their slots (each as large as the body
    // limit, since a datagram cut short is lost) fit in ReceiveBatchBytes. At 256 KiB a 128 KiB limit left one slot:
    // one recvmmsg per message, and 2.4-2.9x the CPU per request (docs/PERFORMANCE.md, "Unix seqpacket (session 5)").
    private const int MaxDatagramsPerReceive = 32;
    private const int ReceiveBatchBytes = 2 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly Endian _endian;
    private readonly int _maxBodyRead;
    private readonly WriteLimits _writeLimits;
    private readonly int _maxDescriptorsRead;
    private readonly int _slotSize;
    private readonly int _fdSlots;
    private readonly byte[] _receiveBuffer;
    private readonly int[] _receivedDescriptors;
    private readonly DatagramReceive[] _received;
    private int _receivedCount;
    private int _nextReceived;
    private bool _drained;
    private readonly ReceiveThread _receiveThread; // its thread starts at the first read that has to wait
    // Headers and small bodies are copied here, so a batch needs no pinning; larger bodies are pinned where they are.
    private const int SendScratchBytes = 64 * 1024;
    private readonly byte[] _sendScratch = GC.AllocateUninitializedArray<byte>(SendScratchBytes, pinned: true);
    private readonly SocketMessages.OutgoingDatagram[] _datagrams = new SocketMessages.OutgoingDatagram[MaxDatagramsPerSend];
    private readonly List<MemoryHandle> _pins = [];

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
        _maxDescriptorsRead = config.MaxFileDescriptorsRead;
        ConnectionInfo = connectionInfo;

        // The body limit is the configured one, or less when the socket's send buffer cannot carry such a datagram.
        var maxBodyDatagram = FitSendBuffer(socket, MessageHeader.Size + config.MaxBodyLengthWrite) - MessageHeader.Size;
        _writeLimits = maxBodyDatagram < config.MaxBodyLengthWrite
            ? new WriteLimits(maxBodyDatagram, config.MaxFileDescriptorsWrite, "body (more than the socket's send buffer carries in one datagram)")
            : new WriteLimits(config.MaxBodyLengthWrite, config.MaxFileDescriptorsWrite);
        _slotSize = MessageHeader.Size + _maxBodyRead;
        _fdSlots = _maxDescriptorsRead + 1; // room for one more tells "too many" from "just enough"
        var slots = Math.Clamp(ReceiveBatchBytes / _slotSize, 1, MaxDatagramsPerReceive);
        _receiveBuffer = ArrayPool<byte>.Shared.Rent(slots * _slotSize);
        _receivedDescriptors = new int[slots * _fdSlots];
        _received = new DatagramReceive[slots];
        _receiveThread = new ReceiveThread(socket.SafeHandle, ReceiveBatch);
    }

    /// <inheritdoc/>
    public ConnectionInfo? ConnectionInfo { get; }

    /// <inheritdoc/>
    public string TransportName => "unix_seqpacket";

    // The kernel refuses a datagram larger than the send buffer less this much (EMSGSIZE).
    private const int SendBufferOverhead = 32;

    /// <summary>
    /// Grows the send buffer so a datagram of <paramref name="datagram"/> bytes fits, as far as the kernel allows
    /// (net.core.wmem_max), and returns the largest datagram it takes now.
    /// </summary>
    private static int FitSendBuffer(Socket socket, int datagram)
    {
        try
        {
            if (socket.SendBufferSize - SendBufferOverhead < datagram)
                socket.SendBufferSize = datagram + SendBufferOverhead; // the kernel doubles it, up to its maximum
        }
        catch (SocketException)
        {
            // Not allowed to grow it: what it is, is what we can send.
        }

        return socket.SendBufferSize - SendBufferOverhead;
    }

    /// <inheritdoc/>
    public ValueTask<Message<UnixBody>?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Fewer datagrams than asked for last time means the queue ran dry: wait before the next receive instead of
            // asking just to hear "none".
            if (_nextReceived == _receivedCount && (_drained || ReceiveBatch() == 0))
                return ReadAfterWaitAsync(cancellationToken);
            return new ValueTask<Message<UnixBody>?>(DecodeNext());
        }
        catch (Exception error)
        {
            return ValueTask.FromException<Message<UnixBody>?>(error);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Message<UnixBody>?> ReadAfterWaitAsync(CancellationToken cancellationToken)
    {
        await _receiveThread.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        return DecodeNext();
    }

    /// <summary>Receives the datagrams waiting, as many as there are slots, without blocking.</summary>
    /// <returns>How many; 0 when none was waiting.</returns>
    private int ReceiveBatch()
    {
        _nextReceived = 0;
        _receivedCount = SocketMessages.Receive(
            _socket.SafeHandle, _receiveBuffer.AsSpan(0, _received.Length * _slotSize), _slotSize, _receivedDescriptors, _fdSlots, _received);
        _drained = _receivedCount < _received.Length;
        return _receivedCount;
    }

    private Message<UnixBody>? DecodeNext()
    {
        var slot = _nextReceived++;
        return Decode(_received[slot], _receiveBuffer.AsSpan(slot * _slotSize, _slotSize), _receivedDescriptors.AsSpan(slot * _fdSlots, _fdSlots));
    }

    private Message<UnixBody>? Decode(DatagramReceive received, ReadOnlySpan<byte> datagram, ReadOnlySpan<int> slotDescriptors)
    {
        var descriptors = slotDescriptors[..Math.Min(received.DescriptorCount, slotDescriptors.Length)];
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
            header = MessageHeader.Decode(datagram, _endian);
        }
        catch
        {
            CloseAll(descriptors);
            throw;
        }

        var body = datagram[MessageHeader.Size..received.Length];
        var handles = descriptors.IsEmpty ? [] : new SafeFileHandle[descriptors.Length];
        for (var i = 0; i < descriptors.Length; i++)
            handles[i] = new SafeFileHandle(descriptors[i], ownsHandle: true);
        return new Message<UnixBody>(header, new UnixBody(body.ToArray(), handles));
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
        var descriptors = message.Body.FileDescriptors;
        _writeLimits.Check(message.Body.Length, descriptors.Count);
        foreach (var descriptor in descriptors)
        {
            // A bad descriptor would fail the send of the whole batch and with it the connection: refuse it here.
            if (descriptor.IsInvalid || descriptor.IsClosed)
                throw new ArgumentException("A file descriptor of the message is closed or invalid.", nameof(message));
        }
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(IReadOnlyList<Message<UnixBody>> messages, CancellationToken cancellationToken)
    {
        var next = 0;
        while (next < messages.Count)
        {
            var count = Prepare(messages, next);
            try
            {
                var sent = 0;
                while (sent < count)
                {
                    var now = SocketMessages.Send(_socket.SafeHandle, _datagrams.AsSpan(sent, count - sent));
                    if (now > 0)
                        sent += now;
                    else
                        await WaitUntilWritableAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                foreach (var pin in _pins)
                    pin.Dispose();
                _pins.Clear();
            }

            next += count;
        }
    }

    /// <summary>Lays out datagrams for messages from <paramref name="first"/> on, as many as fit one send.</summary>
    private unsafe int Prepare(IReadOnlyList<Message<UnixBody>> messages, int first)
    {
        var scratch = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_sendScratch));
        var used = 0;
        var count = 0;
        while (count < _datagrams.Length && first + count < messages.Count)
        {
            var message = messages[first + count];
            var body = message.Body.Data;
            var copied = body.Length <= SendScratchBytes / 4;
            var need = MessageHeader.Size + (copied ? body.Length : 0);
            if (used + need > SendScratchBytes)
                break; // the rest goes in the next send
            message.Header.Encode(new Span<byte>(scratch + used, MessageHeader.Size), _endian);
            var descriptors = DescriptorNumbers(message.Body);
            if (copied)
            {
                body.Span.CopyTo(new Span<byte>(scratch + used + MessageHeader.Size, body.Length));
                _datagrams[count] = new SocketMessages.OutgoingDatagram(scratch + used, need, null, 0, descriptors);
            }
            else
            {
                var pin = body.Pin();
                _pins.Add(pin);
                _datagrams[count] = new SocketMessages.OutgoingDatagram(scratch + used, MessageHeader.Size, (byte*)pin.Pointer, body.Length, descriptors);
            }

            used += need;
            count++;
        }

        return count;
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

    private async ValueTask WaitUntilWritableAsync(CancellationToken cancellationToken)
    {
        // The Socket offers no wait for writability alone (and its async send, which has one, cannot carry descriptors
        // and did not wake reliably on this socket type). So check without blocking: a few times right away, since
        // under load the reader makes room within moments, then with growing pauses, so a remote that stopped reading
        // holds a timer and no thread.
        for (var attempt = 0; !_socket.Poll(0, SelectMode.SelectWrite); attempt++)
        {
            if (attempt < 3)
                await Task.Yield();
            else
                await Task.Delay(Math.Min(1 << Math.Min(attempt - 3, 6), 50), cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <inheritdoc/>
    public void Abort()
    {
        _receiveThread.Stop();
        _socket.Dispose();
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

        _receiveThread.Stop();
        _socket.Dispose();

        // A receive still under way (disposed in the middle of a read, which the peer never does) may yet write into
        // the buffers: they are left to it and the collector.
        if (_receiveThread.MayReceive)
            return default;

        // Datagrams received in the last batch but never decoded (the connection ended first) still own descriptors.
        for (var slot = _nextReceived; slot < _receivedCount; slot++)
            CloseAll(_receivedDescriptors.AsSpan(slot * _fdSlots, Math.Min(_received[slot].DescriptorCount, _fdSlots)));
        _receivedCount = _nextReceived = 0;
        ArrayPool<byte>.Shared.Return(_receiveBuffer);
        return default;
    }
}
