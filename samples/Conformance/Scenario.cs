using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// The conformance scenario every implementation of the protocol serves: the service IDs, texts and limits shared by
/// the sample's server and client (and by independent peers that test against them).
/// </summary>
public static class Scenario
{
    /// <summary>Service 1: the response carries the request's body.</summary>
    public const int EchoService = 1;

    /// <summary>Service 2: three responder updates, then the response "done".</summary>
    public const int ProgressService = 2;

    /// <summary>Service 3: always the error response <see cref="FailText"/>.</summary>
    public const int FailService = 3;

    /// <summary>Service 4: every requester update comes back as a responder update; update <see cref="ChatEndServiceId"/> ends it.</summary>
    public const int ChatService = 4;

    /// <summary>Service 5: the request body is a little-endian u32 N; the response is N bytes, byte i = i % 251.</summary>
    public const int BigService = 5;

    /// <summary>
    /// Service 6, on Unix seqpacket only: the request carries one file descriptor (a memfd); the response's body is the
    /// file's content (read from offset 0) and it carries a new memfd holding that content reversed. Without exactly one
    /// descriptor: an error response. On the byte-stream transports it is an unknown service like any other.
    /// </summary>
    public const int FdService = 6;

    /// <summary>Service 7: the server asks the client for an echo of the body, and answers with the client's answer.</summary>
    public const int CallBackService = 7;

    /// <summary>The service ID of a successful response (raw peers answer with 0).</summary>
    public const int SuccessServiceId = 0;

    /// <summary>The service ID of the progress service's updates.</summary>
    public const int ProgressUpdateServiceId = 1;

    /// <summary>How many updates the progress service sends.</summary>
    public const int ProgressUpdateCount = 3;

    /// <summary>The body of the progress service's response.</summary>
    public const string ProgressDoneText = "done";

    /// <summary>The error text of the fail service.</summary>
    public const string FailText = "failed to process request";

    /// <summary>The requester update service ID that ends a chat.</summary>
    public const int ChatEndServiceId = 99;

    /// <summary>The body of the chat's response.</summary>
    public const string ChatByeText = "bye";

    /// <summary>The byte pattern of the big service repeats with this period.</summary>
    public const int BigPatternPeriod = 251;

    /// <summary>The largest body either side reads or writes on the byte-stream transports: 16 MiB.</summary>
    public const int MaxBodyLength = 16 * 1024 * 1024;

    /// <summary>
    /// The largest body either side reads or writes on Unix seqpacket: 128 KiB. One message is one datagram, and Linux
    /// refuses (EMSGSIZE) a datagram larger than the sender's SO_SNDBUF minus 32 bytes: with the default SO_SNDBUF of
    /// 212992 bytes (net.core.wmem_default) that is 212960 bytes, a body of at most 212948. 128 KiB leaves room below
    /// that, still lets two such datagrams queue before the sender waits, and keeps the 65537-byte edge size.
    /// </summary>
    public const int SeqpacketMaxBodyLength = 128 * 1024;

    /// <summary>The length the client's big reply case asks for on the byte-stream transports: 1 MiB.</summary>
    public const int StreamBigReplyLength = 1024 * 1024;

    /// <summary>The length the client's big reply case asks for on Unix seqpacket: the whole body limit, 128 KiB.</summary>
    public const int SeqpacketBigReplyLength = SeqpacketMaxBodyLength;

    /// <summary>The body of progress update <paramref name="index"/>.</summary>
    public static string ProgressUpdateText(int index) => $"update {index}";

    /// <summary>The error text for a service the scenario does not have.</summary>
    public static string UnknownServiceText(int serviceId) => $"unknown service {serviceId}";

    /// <summary>The big service's reply of <paramref name="length"/> bytes: byte i = i % 251.</summary>
    public static byte[] BigBody(int length)
    {
        var body = GC.AllocateUninitializedArray<byte>(length);
        var period = Math.Min(BigPatternPeriod, length);
        for (var i = 0; i < period; i++)
            body[i] = (byte)i;
        // The filled prefix is always a whole number of periods, so copying it after itself doubles it.
        for (var filled = period; filled < length;)
        {
            var chunk = Math.Min(filled, length - filled);
            body.AsSpan(0, chunk).CopyTo(body.AsSpan(filled));
            filled += chunk;
        }

        return body;
    }

    /// <summary>
    /// The frame timeout of the byte-stream settings (null: the engine's default). For harnesses that run this server in
    /// process and cannot wait the default out, such as the reliability suite's short mode.
    /// </summary>
    public static TimeSpan? StreamFrameTimeout { get; set; }

    /// <summary>The byte-stream settings of both sides: 16 MiB bodies both ways, little endian.</summary>
    public static StreamConfig CreateStreamConfig()
    {
        var config = new StreamConfig
        {
            MaxBodyLengthRead = MaxBodyLength,
            MaxBodyLengthWrite = MaxBodyLength,
        };
        if (StreamFrameTimeout is { } frameTimeout)
            config.FrameTimeout = frameTimeout;
        return config;
    }

    /// <summary>The seqpacket settings of both sides: 128 KiB bodies both ways; 10 descriptors and native endian as the reference.</summary>
    public static UnixConfig CreateUnixConfig() => new()
    {
        MaxBodyLengthRead = SeqpacketMaxBodyLength,
        MaxBodyLengthWrite = SeqpacketMaxBodyLength,
    };
}
