using System.Buffers;

namespace FizyrRpc.Cli.Tap;

/// <summary>
/// Finds the messages in the bytes of one direction of a byte stream, with the wire layer's
/// <see cref="StreamFraming"/>. Bytes arrive in any split; a frame is reported once it is whole. After a framing error
/// (the bytes are not Fizyr RPC, or a body is over the limit) nothing more is decoded, but the tap keeps relaying.
/// Memory: at most one frame (limited by the body limit) plus one chunk is buffered.
/// </summary>
internal sealed class FrameDecoder(Endian endian, long maxBodyLength)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The framing error that stopped decoding, if any.</summary>
    public RpcProtocolException? Error { get; private set; }

    /// <summary>Adds received bytes and reports each whole frame now buffered; false when decoding has just stopped on an error.</summary>
    public bool Feed(ReadOnlySpan<byte> data, Action<MessageHeader, ReadOnlyMemory<byte>> onFrame)
    {
        if (Error is not null)
            return true;
        Append(data);
        while (true)
        {
            var buffered = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            try
            {
                if (!StreamFraming.TryReadFrame(ref buffered, endian, maxBodyLength, out var header, out var body))
                    return true;
                var bodyStart = _start + StreamFraming.PrefixAndHeaderSize;
                onFrame(header, _buffer.AsMemory(bodyStart, (int)body.Length));
                _start = bodyStart + (int)body.Length;
            }
            catch (RpcProtocolException e)
            {
                Error = e;
                _buffer = [];
                _start = _end = 0;
                return false;
            }
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_start == _end)
            _start = _end = 0;
        if (_buffer.Length - _end < data.Length)
        {
            var needed = _end - _start + data.Length;
            var target = needed <= _buffer.Length ? _buffer : new byte[Math.Max(needed, _buffer.Length * 2)];
            Array.Copy(_buffer, _start, target, 0, _end - _start);
            _buffer = target;
            _end -= _start;
            _start = 0;
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }
}
