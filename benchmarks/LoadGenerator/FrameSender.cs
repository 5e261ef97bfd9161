/// <summary>
/// How the floor's client sends its next frames. Directly from the receive loop when everything in flight fits in the
/// socket buffers (the one-loop floor); otherwise through a sender task, because a single loop that is blocked sending
/// while the server is blocked sending back to it would deadlock once the echoed bytes outgrow the buffers (large bodies,
/// Unix sockets in particular).
/// </summary>
internal abstract class FrameSender : IAsyncDisposable
{
    /// <summary>Bytes in flight one loop can send without waiting for the other side to read.</summary>
    private const int BufferedBytes = 128 * 1024;

    public static FrameSender For(FrameSocket socket, long bufferedInFlight) =>
        bufferedInFlight <= BufferedBytes ? new Direct(socket) : new Queued(socket);

    public abstract ValueTask SendAsync(int count);

    public abstract ValueTask DisposeAsync();

    private sealed class Direct(FrameSocket socket) : FrameSender
    {
        public override ValueTask SendAsync(int count) => socket.SendAsync(count);

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Queued : FrameSender
    {
        private readonly SemaphoreSlim _posted = new(0);
        private readonly FrameSocket _socket;
        private readonly Task _sending;
        private int _owed;
        private bool _done;

        public Queued(FrameSocket socket)
        {
            _socket = socket;
            _sending = Task.Run(SendLoopAsync);
        }

        public override ValueTask SendAsync(int count)
        {
            if (_sending.IsFaulted)
                return new ValueTask(_sending);
            Interlocked.Add(ref _owed, count);
            _posted.Release();
            return ValueTask.CompletedTask;
        }

        public override async ValueTask DisposeAsync()
        {
            Volatile.Write(ref _done, true);
            _posted.Release();
            await _sending;
            _posted.Dispose();
        }

        private async Task SendLoopAsync()
        {
            while (true)
            {
                await _posted.WaitAsync();
                var count = Interlocked.Exchange(ref _owed, 0);
                if (count > 0)
                    await _socket.SendAsync(count);
                else if (Volatile.Read(ref _done))
                    return;
            }
        }
    }
}
