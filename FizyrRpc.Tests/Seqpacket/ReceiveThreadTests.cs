using System.Net.Sockets;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>
/// A read that has to wait runs on the connection's own receive thread: its continuation runs there (no hand-off to
/// the thread pool), a cancellation or an abort ends the wait, and the socket and the thread are released with the
/// transport.
/// </summary>
[NonParallelizable] // counts the receive threads of the whole process
public sealed class ReceiveThreadTests : SeqpacketFixture
{
    private const string ThreadName = "FizyrRpc seqpacket receive";

    [Test]
    public async Task AWaitingReadContinuesOnTheConnectionsReceiveThread()
    {
        var (a, b, folder) = await SeqpacketPair.SocketPairAsync();
        using var _ = folder;
        using var remote = b;
        var transport = new UnixSeqpacketTransport(a);
        await using (transport)
        {
            var read = transport.ReadMessageAsync(CancellationToken.None);
            Assert.That(read.IsCompleted, Is.False, "nothing was sent yet");
            var continuedOn = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => continuedOn.SetResult(Thread.CurrentThread.Name));

            remote.Send(Datagram(requestId: 7, "hello"u8));

            Assert.That(await continuedOn.Task.WithTimeout(), Is.EqualTo(ThreadName));
            var message = (await read)!.Value;
            Assert.That((message.Header.RequestId, message.Body.Span.ToArray()), Is.EqualTo((7u, "hello"u8.ToArray())));
        }
    }

    [Test]
    public async Task ACancelledReadEndsAndTheSocketStaysUsable()
    {
        var (a, b, folder) = await SeqpacketPair.SocketPairAsync();
        using var _ = folder;
        using var remote = b;
        var transport = new UnixSeqpacketTransport(a);
        await using (transport)
        {
            using var cancel = new CancellationTokenSource();
            var read = transport.ReadMessageAsync(cancel.Token).AsTask();
            Assert.That(read.IsCompleted, Is.False);
            await cancel.CancelAsync();
            await Waits.ThrowsAsync<OperationCanceledException>(() => read);

            // The datagram that comes after is read by the next call, and writing goes on.
            remote.Send(Datagram(requestId: 8, "after"u8));
            var message = (await transport.ReadMessageAsync(CancellationToken.None).WithTimeout())!.Value;
            Assert.That(message.Header.RequestId, Is.EqualTo(8u));
            await transport.WriteAsync([new Message<UnixBody>(MessageHeader.Response(8, 0), "back"u8.ToArray())], CancellationToken.None).WithTimeout();
            var buffer = new byte[64];
            var length = await remote.ReceiveAsync(buffer).WithTimeout();
            Assert.That(buffer.AsSpan(MessageHeader.Size, length - MessageHeader.Size).ToArray(), Is.EqualTo("back"u8.ToArray()));
        }
    }

    [Test]
    public async Task AbortEndsAWaitingRead()
    {
        var (a, b, folder) = await SeqpacketPair.SocketPairAsync();
        using var _ = folder;
        using var remote = b;
        var transport = new UnixSeqpacketTransport(a);
        var read = transport.ReadMessageAsync(CancellationToken.None).AsTask();
        Assert.That(read.IsCompleted, Is.False);

        transport.Abort();

        await Waits.ThrowsAsync<ObjectDisposedException>(() => read);
        await transport.DisposeAsync();
        Assert.That(a.SafeHandle.IsClosed, Is.True);
    }

    [Test]
    public async Task TheRemotesEndIsTheEndOfStreamForAWaitingRead()
    {
        var (a, b, folder) = await SeqpacketPair.SocketPairAsync();
        using var _ = folder;
        var transport = new UnixSeqpacketTransport(a);
        await using (transport)
        {
            var read = transport.ReadMessageAsync(CancellationToken.None);
            b.Dispose();
            Assert.That(await read.WithTimeout(), Is.Null);
        }
    }

    [Test]
    public async Task ManyConnectionsEachReadOnTheirOwnThreadAndReleaseIt()
    {
        // Each connection that waited had a receive thread; once disposed, none is left (Linux shows the threads' names).
        const int Connections = 8;
        var before = ReceiveThreads();
        var pairs = new List<(Socket Remote, UnixSeqpacketTransport Transport, TempFolder Folder)>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                var (a, b, folder) = await SeqpacketPair.SocketPairAsync();
                pairs.Add((b, new UnixSeqpacketTransport(a), folder));
            }

            var reads = pairs.Select(pair => pair.Transport.ReadMessageAsync(CancellationToken.None).AsTask()).ToArray();
            for (var i = 0; i < Connections; i++)
                pairs[i].Remote.Send(Datagram(requestId: (uint)i + 1, "x"u8));
            var ids = (await Task.WhenAll(reads).WithTimeout()).Select(message => message!.Value.Header.RequestId);
            Assert.That(ids, Is.EqualTo(Enumerable.Range(1, Connections).Select(id => (uint)id)));
            Assert.That(ReceiveThreads(), Is.GreaterThanOrEqualTo(Connections));
        }
        finally
        {
            foreach (var (remote, transport, folder) in pairs)
            {
                await transport.DisposeAsync();
                remote.Dispose();
                folder.Dispose();
            }
        }

        // A stopped thread ends at once, but not synchronously with DisposeAsync: wait for it, within the test timeout.
        using var timeout = new CancellationTokenSource(Waits.Timeout);
        while (ReceiveThreads() > before) // earlier tests' threads may still end meanwhile, never start
        {
            Assert.That(timeout.IsCancellationRequested, Is.False, "receive threads were left behind");
            Thread.Yield();
        }
    }

    private static byte[] Datagram(uint requestId, ReadOnlySpan<byte> body)
    {
        var datagram = new byte[MessageHeader.Size + body.Length];
        MessageHeader.Request(requestId, 1).Encode(datagram, Endian.Native);
        body.CopyTo(datagram.AsSpan(MessageHeader.Size));
        return datagram;
    }

    // Linux keeps the first 15 bytes of a thread's name.
    private static int ReceiveThreads() =>
        Directory.GetDirectories("/proc/self/task").Count(task =>
            File.Exists(Path.Combine(task, "comm")) && ReadName(task) == ThreadName[..15]);

    private static string? ReadName(string task)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
        }
        catch (IOException)
        {
            return null; // the thread ended meanwhile
        }
    }
}
