using System.Runtime.CompilerServices;
using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FizyrRpc.Transports;

/// <summary>
/// The framed byte-stream transport shared by TCP and Unix stream sockets: reads frames through a
/// <see cref="PipeReader"/> without copying them until the body is handed out, and writes each batch of messages with
/// one gather send.
/// </summary>
public sealed class StreamTransport : IPeerTransport<StreamBody>, IBudgetedTransport
{
    // Bodies up to this size are copied next to their headers so a batch goes out in one buffer; larger bodies are
    // sent from where they are.
    private const int CopyThreshold = 16 * 1024;

    // A body at least this large that is not all buffered yet is received straight into its own array: one copy (the
    // kernel's) instead of two, and one receive call for as much as the socket has.
    private const int DirectReadThreshold = 64 * 1024;

    // A large body's array grows by at least this much beyond what has arrived, then doubles: a remote that announces
    // a large body and trickles it makes us hold little more than it sent.
    private const int GrowthStep = 16 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly Endian _endian;
    private readonly long _maxBodyRead;
    private readonly WriteLimits _writeLimits;
    private readonly ArrayPool<byte>? _largeBodyPool;
    private readonly List<ArraySegment<byte>> _segments = [];
    private ReadOnlySequence<byte> _buffered;
    private bool _holdsBuffer;
    private bool _endOfStream;
    private readonly FrameDeadline _deadline;
    private ByteBudget? _readBudget;

    /// <summary>Creates a transport over a connected stream socket, which it owns from now on.</summary>
    public StreamTransport(Socket socket, StreamConfig? config = null, ConnectionInfo? connectionInfo = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        config ??= StreamConfig.Default;
        config.Validate();
        _socket = socket;
        _endian = config.Endian;
        _maxBodyRead = config.MaxBodyLengthRead;
        _writeLimits = new WriteLimits(config.MaxBodyLengthWrite);
        _largeBodyPool = config.LargeBodyPool;
        _deadline = new FrameDeadline(config.FrameTimeout, config.MinFrameDataRate);
        ConnectionInfo = connectionInfo;
        TransportName = socket.AddressFamily == AddressFamily.Unix ? "unix_stream" : "tcp";
        _stream = new NetworkStream(socket, ownsSocket: false);

        // Zero-byte reads: an idle connection waits for data before the pipe rents its buffer, so it holds none.
        _reader = PipeReader.Create(
            _stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true, useZeroByteReads: true));
    }

    void IBudgetedTransport.UseReadBudget(ByteBudget budget) => _readBudget = budget;

    /// <inheritdoc/>
    public ConnectionInfo? ConnectionInfo { get; }

    /// <summary>The socket (for tests that read its options back).</summary>
    internal Socket Socket => _socket;

    /// <inheritdoc/>
    public string TransportName { get; }

    /// <inheritdoc/>
    public ValueTask<Message<StreamBody>?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        // Most reads of a batch find their frame buffered: those skip the second state machine below.
        var reading = ReadFrameAsync(cancellationToken);
        return reading.IsCompletedSuccessfully ? reading : ReadFrameTimedAsync(reading, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Message<StreamBody>?> ReadFrameTimedAsync(ValueTask<Message<StreamBody>?> reading, CancellationToken cancellationToken)
    {
        try
        {
            return await reading.ConfigureAwait(false);
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested && _deadline.Expired)
        {
            throw new TimeoutException(
                $"A message did not arrive within the frame timeout ({_deadline.Timeout.TotalSeconds:0.###} s, extended as its body arrived) once it had begun.",
                error);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Message<StreamBody>?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_holdsBuffer)
            {
                var buffer = _buffered;
                if (StreamFraming.TryReadFrame(ref buffer, _endian, _maxBodyRead, out var header, out var body))
                {
                    var bytes = body.IsEmpty ? [] : GC.AllocateUninitializedArray<byte>((int)body.Length);
                    body.CopyTo(bytes);
                    _buffered = buffer;
                    _deadline.End();
                    return new Message<StreamBody>(header, new StreamBody(bytes));
                }

                if (!_endOfStream
                    && StreamFraming.TryReadFrameHeader(buffer, _endian, _maxBodyRead, out header, out var bodyLength)
                    && bodyLength >= DirectReadThreshold)
                {
                    return await ReadLargeBodyAsync(header, (int)bodyLength, cancellationToken).ConfigureAwait(false);
                }

                _reader.AdvanceTo(_buffered.Start, _buffered.End);
                _holdsBuffer = false;
                if (_endOfStream)
                {
                    if (_buffered.IsEmpty)
                        return null;
                    throw new EndOfStreamException($"The connection ended in the middle of a message ({_buffered.Length} bytes of it received).");
                }
            }

            // A frame has begun and is not whole: it must arrive within its deadline. Between frames, no deadline.
            var token = _buffered.IsEmpty ? cancellationToken : _deadline.Start(cancellationToken);
            var result = await _reader.ReadAsync(token).ConfigureAwait(false);
            _buffered = result.Buffer;
            _holdsBuffer = true;
            _endOfStream = result.IsCompleted;
        }
    }

    // The frame's header is buffered and its body is not all there: take what is buffered, then receive the rest from
    // the socket straight into the body. The pipe holds nothing afterwards and reads only when asked, so bypassing it
    // here keeps the byte order.
    // The body's array is sized by what has arrived, never by the announced size on the word of a header: it starts at
    // what the pipe buffered plus GrowthStep; when that is full it grows to what has arrived by then (received, plus
    // what the socket holds: FIONREAD) or to twice its size, whichever is more, and to the whole body once half of it
    // is here. A remote that announces a large body and trickles it holds about twice what it sent; a body that
    // arrives fast grows once, copying no more than the pipe's buffer (each growth copies, and a fresh array costs a
    // page fault per page on first touch: growing by doubling cost a 1 MiB body 2 MiB of arrays and 1 MiB of copies).
    // Each growth is taken from the connection's incoming budget (and so the server's) first, waiting for room: the
    // wait is within the frame's deadline, so a connection starved of budget is closed in time rather than held.
    private async ValueTask<Message<StreamBody>?> ReadLargeBodyAsync(MessageHeader header, int bodyLength, CancellationToken cancellationToken)
    {
        var token = _deadline.Start(cancellationToken);
        var buffered = _buffered.Slice(StreamFraming.PrefixAndHeaderSize);
        var length = (int)Math.Min(bodyLength, buffered.Length + GrowthStep);
        long reserved = 0;
        if (_readBudget is { } budget)
        {
            await budget.ReserveAsync(length, token).ConfigureAwait(false);
            reserved = length;
        }

        StreamBody body;
        Memory<byte> contents;
        try
        {
            body = NewBody(length, out contents);
        }
        catch
        {
            _readBudget?.Release(reserved);
            throw;
        }

        try
        {
            buffered.CopyTo(contents.Span);
            var received = (int)buffered.Length;
            _reader.AdvanceTo(_buffered.End);
            _holdsBuffer = false;
            while (received < bodyLength)
            {
                if (received == contents.Length)
                {
                    var largerLength = ArrivedLength(bodyLength, received, (int)Math.Min(bodyLength, 2L * contents.Length));
                    if (_readBudget is { } growthBudget)
                    {
                        await growthBudget.GrowAsync(largerLength - reserved, reserved, token).ConfigureAwait(false);
                        reserved = largerLength;
                    }

                    var larger = NewBody(largerLength, out var largerContents);
                    contents.Span.CopyTo(largerContents.Span);
                    body.Recycle();
                    (body, contents) = (larger, largerContents);
                }

                var count = await _socket.ReceiveAsync(contents[received..], SocketFlags.None, token).ConfigureAwait(false);
                if (count == 0)
                {
                    throw new EndOfStreamException(
                        $"The connection ended in the middle of a message ({StreamFraming.PrefixAndHeaderSize + received} bytes of it received).");
                }

                received += count;
                _deadline.Extend(count);
            }
        }
        catch
        {
            body.Recycle();
            throw;
        }
        finally
        {
            // From here the peer counts the body, in the queue it goes to.
            _readBudget?.Release(reserved);
        }

        _deadline.End();
        return new Message<StreamBody>(header, body);
    }

    // How large the body's array is to be, given the bytes received so far and the least it is to grow to: no larger
    // than twice what has arrived (received, plus what the socket holds), and the whole body as soon as that allows.
    private int ArrivedLength(int bodyLength, int received, int atLeast)
    {
        long arrived = received + Available();
        if (2 * arrived >= bodyLength)
            return bodyLength;
        return (int)Math.Min(bodyLength, Math.Max(atLeast, arrived));
    }

    private int Available()
    {
        try
        {
            return _socket.Available;
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            return 0; // the receive that follows reports what went wrong
        }
    }

    private StreamBody NewBody(int length, out Memory<byte> contents)
    {
        if (_largeBodyPool is { } pool)
            return StreamBody.Rent(pool, length, out contents);
        var bytes = LargeBodyRecycler.Instance.Rent(length);
        contents = bytes.AsMemory(0, length);
        return StreamBody.FromRecyclable(bytes, length);
    }

    /// <inheritdoc/>
    public void ValidateOutgoing(in Message<StreamBody> message) => _writeLimits.Check(message.Body.Length);

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(IReadOnlyList<Message<StreamBody>> messages, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var copied = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            var body = messages[i].Body.Data;
            copied += StreamFraming.PrefixAndHeaderSize + (IsCopied(body, out _) ? body.Length : 0);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(copied);
        try
        {
            var position = 0;
            var segmentStart = 0;
            _segments.Clear();
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                var body = message.Body.Data;
                StreamFraming.WritePrefixAndHeader(buffer.AsSpan(position), message.Header, body.Length, _endian);
                position += StreamFraming.PrefixAndHeaderSize;
                if (IsCopied(body, out var bodySegment))
                {
                    body.Span.CopyTo(buffer.AsSpan(position));
                    position += body.Length;
                }
                else
                {
                    _segments.Add(new ArraySegment<byte>(buffer, segmentStart, position - segmentStart));
                    _segments.Add(bodySegment);
                    segmentStart = position;
                }
            }

            if (position > segmentStart)
                _segments.Add(new ArraySegment<byte>(buffer, segmentStart, position - segmentStart));

            // The sends take no token: a cancelled send would leave the buffers in the socket's hands. Abort closes the
            // socket instead, which fails the send; only then does the finally below release the batch buffer.
            if (_segments.Count == 1)
                await SendAllAsync(_segments[0]).ConfigureAwait(false);
            else
                await SendAllAsync(_segments).ConfigureAwait(false);
        }
        finally
        {
            _segments.Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Small bodies, and bodies not backed by an array (which a gather send cannot take), are copied.
    private static bool IsCopied(ReadOnlyMemory<byte> body, out ArraySegment<byte> segment)
    {
        segment = default;
        return body.Length <= CopyThreshold || !MemoryMarshal.TryGetArray(body, out segment);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAllAsync(ArraySegment<byte> segment)
    {
        var memory = segment.AsMemory();
        while (!memory.IsEmpty)
        {
            var sent = await _socket.SendAsync(memory, SocketFlags.None).ConfigureAwait(false);
            memory = memory[sent..];
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAllAsync(List<ArraySegment<byte>> segments)
    {
        // One gather write; a partial send (rare on a blocking-style async socket) continues where it stopped.
        while (segments.Count > 0)
        {
            var sent = await _socket.SendAsync(segments, SocketFlags.None).ConfigureAwait(false);
            while (sent > 0)
            {
                var first = segments[0];
                if (sent >= first.Count)
                {
                    sent -= first.Count;
                    segments.RemoveAt(0);
                }
                else
                {
                    segments[0] = first.Slice(sent);
                    sent = 0;
                }
            }

            while (segments.Count > 0 && segments[0].Count == 0)
                segments.RemoveAt(0);
        }
    }

    /// <inheritdoc/>
    public void Abort() => _socket.Dispose();

    /// <summary>Signals the end of the stream and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_holdsBuffer)
        {
            _reader.AdvanceTo(_buffered.Start);
            _holdsBuffer = false;
        }

        await _reader.CompleteAsync().ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the remote.
        }
        catch (ObjectDisposedException)
        {
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        _deadline.Dispose();
    }
}
