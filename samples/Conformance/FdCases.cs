using System.Text;
using FizyrRpc.Transports;

namespace FizyrRpc.Samples.Conformance;

/// <summary>
/// The cases only Unix seqpacket has: the fd service (<see cref="Scenario.FdService"/>), descriptors both ways. The
/// client hands its memfd over to the peer with the request, and closes every descriptor it receives.
/// </summary>
internal static class FdCases
{
    /// <summary>The name of the memfds the client creates (shown in /proc/PID/fd).</summary>
    public const string RequestFileName = "conformance-fd-request";

    /// <summary>The fd cases, in order.</summary>
    public static IReadOnlyList<ConformanceCase<UnixBody>> All { get; } =
    [
        new("fd passed both ways", FdBothWaysAsync),
        new("fd service without a descriptor gets error", FdMissingAsync),
    ];

    // Text of a few KiB, so a reply that is cut short, or not reversed, shows.
    private static readonly byte[] Content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 300).Select(i => $"frame {i}; ")));

    private static async Task FdBothWaysAsync(ClientSession<UnixBody> session, CancellationToken ct)
    {
        // The request's body owns the memfd from here on: the peer closes it once the request is written.
        var body = new UnixBody(ReadOnlyMemory<byte>.Empty, Memfd.Create(RequestFileName, Content));
        using var request = await session.Write.SendRequestAsync(Scenario.FdService, body, ct);
        var response = await request.ReceiveResponseAsync(ct);
        using (response.Body)
        {
            Expect.Message(response, MessageHeader.Response(request.RequestId, Scenario.SuccessServiceId), Content, "fd response");
            var descriptors = response.Body.FileDescriptors;
            if (descriptors.Count != 1)
                throw new ConformanceFailure($"fd response: got {descriptors.Count} file descriptors, want 1");
            var expected = Content.AsSpan().ToArray();
            Array.Reverse(expected);
            Expect.Body(Memfd.ReadAll(descriptors[0], Scenario.SeqpacketMaxBodyLength), expected, "content of the returned descriptor");
        }
    }

    private static async Task FdMissingAsync(ClientSession<UnixBody> session, CancellationToken ct)
    {
        using var request = await session.Write.SendRequestAsync(Scenario.FdService, UnixBody.FromBytes(Content), ct);
        var response = await request.ReceiveResponseAsync(ct);
        using (response.Body)
            Expect.ErrorResponse(response, request.RequestId, _ => true, "any text", "fd response without a descriptor");
    }
}
