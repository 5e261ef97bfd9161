using System.Buffers.Binary;
using System.Text;

namespace FizyrRpc.Tests.Interop;

/// <summary>
/// Expected bytes written out by hand from the specifications, never through the library or a serializer: stream
/// frames (u32 length, u32 type, u32 request ID, i32 service ID, little endian) and MessagePack values from their
/// format bytes.
/// </summary>
public static class HandWire
{
    /// <summary>A little-endian stream frame: length = 12 + body, then the header, then the body.</summary>
    public static byte[] Frame(uint type, uint requestId, int serviceId, params byte[] body)
    {
        var frame = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(0), (uint)(12 + body.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), type);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), requestId);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(12), serviceId);
        body.CopyTo(frame, 16);
        return frame;
    }

    public static byte[] Request(uint requestId, int serviceId, params byte[] body) => Frame(0, requestId, serviceId, body);

    public static byte[] Response(uint requestId, int serviceId, params byte[] body) => Frame(1, requestId, serviceId, body);

    public static byte[] ErrorResponse(uint requestId, string text) => Frame(1, requestId, -1, Encoding.UTF8.GetBytes(text));

    public static byte[] RequesterUpdate(uint requestId, int serviceId, params byte[] body) => Frame(2, requestId, serviceId, body);

    public static byte[] ResponderUpdate(uint requestId, int serviceId, params byte[] body) => Frame(3, requestId, serviceId, body);

    public static byte[] Stream(int serviceId, params byte[] body) => Frame(4, 0, serviceId, body);

    /// <summary>The body of a frame (everything after the 16 bytes of length and header).</summary>
    public static byte[] BodyOf(byte[] frame) => frame[16..];

    /// <summary>The request ID a frame carries.</summary>
    public static uint RequestIdOf(byte[] frame) => BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(8));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
