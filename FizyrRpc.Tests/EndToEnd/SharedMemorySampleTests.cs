using System.Buffers.Binary;
using System.Text.RegularExpressions;
using FizyrRpc.Samples.SharedMemory;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.EndToEnd;

/// <summary>
/// The shared memory sample (samples/SharedMemory), in-process with small frames: frames arrive intact as sealed
/// memfds and every descriptor is closed afterwards, and its client refuses a frame that is not as announced, still
/// closing what it received.
/// </summary>
[NonParallelizable] // counts the descriptors of the whole process
public partial class SharedMemorySampleTests
{
    private const int FrameBytes = 64 * 1024;

    [OneTimeSetUp]
    public async Task RequireSeqpacketAndWarmUp()
    {
        if (!UnixSeqpacketPeer.IsSupported)
            Assert.Ignore("Passing descriptors over Unix seqpacket sockets needs 64-bit Linux.");

        // The runtime opens a few descriptors for good on first use of a socket: let that happen before any counting.
        using var folder = TempFolder.Create();
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        var output = new StringWriter();
        Assert.That(await SharedMemoryDemo.RunAsync(folder.SocketPath, 1, FrameBytes, output, timeout.Token).WaitAsync(Loopback.Timeout), Is.True, output.ToString());
    }

    [Test]
    public async Task TheDemoPassesEveryFrameAndLeavesNoDescriptorOpen()
    {
        using var folder = TempFolder.Create();
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        var output = new StringWriter();

        var succeeded = await SharedMemoryDemo.RunAsync(folder.SocketPath, 5, FrameBytes, output, timeout.Token).WaitAsync(Loopback.Timeout);

        var text = output.ToString();
        Assert.That(succeeded, Is.True, text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(
            lines.Where(line => line.StartsWith("client: frame ", StringComparison.Ordinal)),
            Has.Exactly(5).Contains("2048×2 points, 64 KiB in memfd descriptor").And.Contains("every byte as expected"));
        var counts = DescriptorCounts().Match(text);
        Assert.That(counts.Success, Is.True, text);
        Assert.That(counts.Groups["after"].Value, Is.EqualTo(counts.Groups["before"].Value), text);
        Assert.That(lines[^1], Does.StartWith("OK:"));
        Assert.That(File.Exists(folder.SocketPath), Is.False, "the listener removed its socket file");
    }

    [TestCase(Tampering.Unsealed, "the memfd has seals None, not Seal, Shrink, Grow, Write")]
    [TestCase(Tampering.ChangedByte, "byte 4096 differs from the pattern")]
    [TestCase(Tampering.Shorter, "the memfd holds 32768 bytes, the header says 65536")]
    public async Task TheClientRefusesAFrameThatIsNotAsAnnouncedAndClosesItsDescriptors(Tampering tampering, string reason)
    {
        using var folder = TempFolder.Create();
        using var timeout = new CancellationTokenSource(Loopback.Timeout);
        var before = OpenDescriptors.Take();

        await using (var listener = await UnixSeqpacketPeer.BindAsync(folder.SocketPath))
        {
            var serving = ServeOneTamperedFrameAsync(listener, tampering, timeout.Token);
            await using (var client = await UnixSeqpacketPeer.ConnectAsync(folder.SocketPath, cancellationToken: timeout.Token))
            {
                var error = await Assert.ThrowsAsync<InvalidDataException>(() => FrameClient.FetchAsync(client, 1, FrameBytes, TextWriter.Null, timeout.Token));
                Assert.That(error?.Message, Is.EqualTo($"Frame 0: {reason}."));
            }

            await serving.WaitAsync(Loopback.Timeout);
        }

        Assert.That(OpenDescriptors.Take().NewSince(before), Is.Empty, "the refused frame's descriptors were closed");
    }

    public enum Tampering
    {
        Unsealed,
        ChangedByte,
        Shorter,
    }

    /// <summary>A server that answers one request for frame 0 with a frame spoiled by <paramref name="tampering"/>.</summary>
    private static async Task ServeOneTamperedFrameAsync(UnixSeqpacketPeerListener listener, Tampering tampering, CancellationToken cancellationToken)
    {
        var (peer, _) = await listener.AcceptAsync(cancellationToken);
        await using (peer)
        {
            var received = await peer.ReceiveMessageAsync(cancellationToken);
            using var request = received.Request!;
            using var body = request.Body;
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(body.Span), Is.Zero);

            var header = FrameHeader.For(0, FrameBytes);
            var frame = Memfd.Create("tampered-frame");
            try
            {
                RandomAccess.SetLength(frame, FrameBytes);
                using (var mapping = FrameMapping.Map(frame, FrameBytes, writable: true))
                {
                    FramePattern.Fill(mapping.Words, 0);
                    if (tampering == Tampering.ChangedByte)
                        mapping.Words[512] ^= 1;
                }

                if (tampering == Tampering.Shorter)
                    RandomAccess.SetLength(frame, FrameBytes / 2);
                if (tampering != Tampering.Unsealed)
                    Memfd.AddSeals(frame, SharedFrame.Seals);
                await request.SendUpdateAsync(FrameServer.FrameReadyService, UnixBody.WithCopies(header.Encode(), frame), cancellationToken);
            }
            catch
            {
                frame.Dispose();
                throw;
            }

            await request.SendResponseAsync(FrameServer.CaptureFrameService, new UnixBody(header.Encode(), frame), cancellationToken);

            // The client refuses the frame and closes the connection.
            Assert.That(async () => await peer.ReceiveMessageAsync(cancellationToken), Throws.TypeOf<ConnectionClosedException>());
        }
    }

    [GeneratedRegex(@"descriptors open: (?<before>\d+) before, (?<after>\d+) after")]
    private static partial Regex DescriptorCounts();
}
