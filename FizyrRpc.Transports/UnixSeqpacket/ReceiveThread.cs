using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Transports;

/// <summary>
/// The waits of one seqpacket connection's reads, on a thread of the connection's own: it blocks until the socket is
/// readable, receives, and runs whatever awaited the receive inline, so the peer's read loop (and the handlers it runs
/// inline) go on on this thread, as a native event loop does: one wake-up per batch of datagrams and no hand-off
/// to another thread. The alternative, a zero-byte receive through the Socket's own event loop, wakes its epoll thread,
/// which hands the continuation to the thread pool: two threads per batch. A blocking handler stalls only its own
/// connection, as with any handler run inline.
/// </summary>
internal sealed class ReceiveThread : IValueTaskSource<int>
{
    private readonly SafeSocketHandle _socket;
    private readonly Func<int> _receive;
    private readonly SafeFileHandle _signal = Readiness.CreateSignal();
    private readonly SemaphoreSlim _requests = new(0);
    private ManualResetValueTaskSourceCore<int> _core; // continuations run inline: the point of this class
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;
    private Thread? _thread;
    private int _waiting; // 1 from a wait's start until whoever completes it (the thread, or a stop) takes it
    private int _receiving; // 1 while the thread may write into the receive buffers
    private int _stopped;

    /// <param name="socket">The socket to wait for.</param>
    /// <param name="receive">Receives without blocking: how many datagrams, 0 when none was there after all.</param>
    public ReceiveThread(SafeSocketHandle socket, Func<int> receive)
    {
        _socket = socket;
        _receive = receive;
    }

    /// <summary>
    /// Waits on the connection's thread until the socket is readable, then receives there. One wait at a time; its
    /// continuation runs on that thread.
    /// </summary>
    /// <returns>What the receive returned (more than 0).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The transport was stopped.</exception>
    public ValueTask<int> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (Stopped)
            return ValueTask.FromException<int>(new ObjectDisposedException(nameof(UnixSeqpacketTransport)));
        _core.Reset();
        if (cancellationToken != _token)
        {
            // The peer passes the same token on every read: register once, not per wait.
            _registration.Dispose();
            _token = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(static state => Readiness.Signal((SafeFileHandle)state!), _signal);
        }

        if (_thread is null)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "FizyrRpc seqpacket receive" };
            _thread.UnsafeStart();
        }

        var version = _core.Version;
        Volatile.Write(ref _waiting, 1);
        _requests.Release();
        if (Stopped)
            FailWait(); // a stop raced this call: the thread may be gone
        return new ValueTask<int>(this, version);
    }

    /// <summary>
    /// Whether the thread may still write into the receive buffers. Once <see cref="Stop"/> has returned, false means
    /// it never will again (the thread checks for a stop after it announces a receive, Stop after it announces itself).
    /// </summary>
    public bool MayReceive => Volatile.Read(ref _receiving) != 0;

    private bool Stopped => Volatile.Read(ref _stopped) != 0;

    /// <summary>
    /// Ends the thread: a wait under way fails with <see cref="ObjectDisposedException"/>. Safe from any thread (also
    /// from this one, inside a continuation), more than once.
    /// </summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        Readiness.Signal(_signal);
        _requests.Release();
        _registration.Dispose();
        _signal.Dispose(); // closed once no wait holds it: a poll under way keeps it open until it returns
    }

    private void Run()
    {
        while (true)
        {
            _requests.Wait();
            if (Stopped)
            {
                FailWait();
                return;
            }

            int received;
            try
            {
                received = WaitAndReceive();
            }
            catch (Exception error)
            {
                if (Interlocked.Exchange(ref _waiting, 0) != 0)
                    _core.SetException(error);
                continue;
            }

            if (Interlocked.Exchange(ref _waiting, 0) != 0)
                _core.SetResult(received); // the reader goes on here, on this thread, until it waits again
        }
    }

    private int WaitAndReceive()
    {
        while (true)
        {
            if (Stopped)
                throw new ObjectDisposedException(nameof(UnixSeqpacketTransport));
            _token.ThrowIfCancellationRequested();
            if (!Readiness.Wait(_socket, _signal))
                continue; // cancelled, stopped, or a cancellation of an earlier token: the checks above tell
            Interlocked.Exchange(ref _receiving, 1);
            int received;
            try
            {
                if (Stopped)
                    throw new ObjectDisposedException(nameof(UnixSeqpacketTransport));
                received = _receive();
            }
            finally
            {
                Volatile.Write(ref _receiving, 0);
            }

            if (received > 0)
                return received;
        }
    }

    // A wait that a stop overtook must not wait for ever; the one that takes it first completes it.
    private void FailWait()
    {
        if (Interlocked.Exchange(ref _waiting, 0) != 0)
            _core.SetException(new ObjectDisposedException(nameof(UnixSeqpacketTransport)));
    }

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
