using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// The fd service (<see cref="Scenario.FdService"/>), on Unix seqpacket only: reads the file behind the request's one
/// descriptor from offset 0, and answers with its content as the body and a new memfd holding the content reversed.
/// The request's descriptor is closed with the request's body, by <see cref="ServerConnection{TBody}"/>; the new memfd
/// belongs to the peer once handed to the send, which closes it after writing.
/// </summary>
internal static class FdService
{
    /// <summary>The name of the memfds the server creates (shown in /proc/PID/fd).</summary>
    public const string ReplyFileName = "conformance-fd-reply";

    public static async ValueTask ServeAsync(ReceivedRequest<UnixBody> request, CancellationToken cancellationToken)
    {
        var descriptors = request.Body.FileDescriptors;
        if (descriptors.Count != 1)
        {
            await request.SendErrorResponseAsync($"fd: expected 1 file descriptor, got {descriptors.Count}", cancellationToken);
            return;
        }

        UnixBody reply;
        try
        {
            var content = Memfd.ReadAll(descriptors[0], Scenario.SeqpacketMaxBodyLength);
            var reversed = content.AsSpan().ToArray();
            Array.Reverse(reversed);
            reply = new UnixBody(content, Memfd.Create(ReplyFileName, reversed));
        }
        catch (Exception error) when (error is IOException or NotSupportedException or UnauthorizedAccessException)
        {
            await request.SendErrorResponseAsync($"fd: {error.Message}", cancellationToken);
            return;
        }

        await request.SendResponseAsync(Scenario.SuccessServiceId, reply, cancellationToken);
    }
}
