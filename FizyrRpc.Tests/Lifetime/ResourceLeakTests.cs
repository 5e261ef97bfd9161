using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Tests.Transports;

namespace FizyrRpc.Tests.Lifetime;

/// <summary>
/// Every connection gives back its socket when it ends, however it ends: after 200 connections (closed by the client,
/// by the server, or by a protocol error) the process holds as many file descriptors as before.
/// </summary>
[TestFixture(LoopbackKind.Tcp)]
[TestFixture(LoopbackKind.Unix)]
[NonParallelizable] // counts the descriptors of the whole process
public class ResourceLeakTests(LoopbackKind kind)
{
    private const int Connections = 200;

    // Descriptors the runtime may open on its own meanwhile (another I/O thread's epoll, a timer).
    private const int Tolerance = 4;

    /// <summary>How a connection ends.</summary>
    private enum Ending
    {
        ClosedByClient,
        ClosedByServer,
        ProtocolError,
    }

    [Test]
    public async Task ConnectionsLeaveNoDescriptorBehind()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("Counts /proc/self/fd, which only Linux has.");
        await using var listener = await TestListener.StartAsync(kind);
        // A first round warms up what the runtime opens once (socket engine threads, pools).
        for (var i = 0; i < 12; i++)
            await RunAsync(listener, EndingOf(i), i);
        var before = OpenDescriptors();

        var endings = new Dictionary<Ending, int>();
        for (var i = 0; i < Connections; i++)
        {
            var ending = EndingOf(i);
            endings[ending] = endings.GetValueOrDefault(ending) + 1;
            await RunAsync(listener, ending, i);
        }

        var after = OpenDescriptors();
        TestContext.Out.WriteLine($"descriptors: {before} before, {after} after; endings: {string.Join(", ", endings)}");
        Assert.That(after - before, Is.LessThanOrEqualTo(Tolerance), $"{after - before} descriptors more after {Connections} connections");
    }

    // The even connections are closed by the client, the odd ones by the server: one in five of those because the
    // client broke the protocol.
    private static Ending EndingOf(int i) => i % 10 == 9 ? Ending.ProtocolError : i % 2 == 0 ? Ending.ClosedByClient : Ending.ClosedByServer;

    private static async Task RunAsync(TestListener listener, Ending ending, int index)
    {
        if (ending == Ending.ProtocolError)
        {
            var (raw, server) = await listener.ConnectRawAsync();
            using (raw)
            await using (server)
            {
                var vector = index % 20 == 9 ? "invalid message type 5" : "length zero";
                await raw.SendAsync(WireVectors.GetInvalid(vector).Framed, SocketFlags.None).WithTimeout();
                await server.Completion.WithTimeout();
                Assert.That(server.CloseError?.Reason, Is.EqualTo(CloseReason.ProtocolError));
                await RawSocketAssert.SeesCloseAsync(raw);
            }

            return;
        }

        var (client, accepted) = await listener.ConnectPairAsync();
        await using (client)
        await using (accepted)
        {
            await TestListener.AssertEchoAsync(client, accepted);
            var (closing, other) = ending == Ending.ClosedByClient ? (client, accepted) : (accepted, client);
            await closing.DisposeAsync().WithTimeout();
            await other.Completion.WithTimeout();
            Assert.That(other.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedByRemote));
            Assert.That(closing.Completion.IsCompleted, Is.True);
        }
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
}
