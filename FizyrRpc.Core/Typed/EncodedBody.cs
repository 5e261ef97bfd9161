using System.Buffers;
using System.Runtime.CompilerServices;

namespace FizyrRpc;

/// <summary>
/// Typed values made into bodies. MessagePack on a byte stream is encoded into a pooled buffer: a small body leaves as
/// an exact copy (smaller than a growing buffer's array), a large one with its pooled array, which the peer returns
/// once the body is written. A fresh array per large body would cost a page fault per page and a collection now and
/// then; the pool's pages stay mapped. Any other format or body type encodes as the format does.
/// </summary>
internal static class EncodedBody
{
    // Larger bodies are sent from their own array (StreamTransport's copy threshold), so they keep the pooled one.
    private const int PooledFrom = 16 * 1024;

    [ThreadStatic]
    private static PooledBufferWriter? t_scratch;

    public static TBody Encode<TBody, T>(IRpcFormat format, T value)
        where TBody : IMessageBody<TBody>
    {
        if (typeof(TBody) != typeof(StreamBody) || format is not MessagePackFormat { Compresses: false } messagePack)
            return TBody.FromBytes(format.Encode(value));

        // Taken from the thread while in use: a formatter that encodes another body meanwhile gets a buffer of its own.
        var scratch = t_scratch ?? new PooledBufferWriter();
        t_scratch = null;
        try
        {
            messagePack.EncodeTo(scratch, value);
            StreamBody body;
            if (scratch.WrittenCount <= PooledFrom)
            {
                body = new StreamBody(scratch.WrittenSpan.ToArray());
            }
            else
            {
                var array = scratch.DetachRented(out var length);
                body = StreamBody.FromRented(ArrayPool<byte>.Shared, array, length);
            }

            return Unsafe.As<StreamBody, TBody>(ref body);
        }
        finally
        {
            scratch.Clear();
            t_scratch = scratch;
        }
    }
}
