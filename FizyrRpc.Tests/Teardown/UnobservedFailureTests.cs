namespace FizyrRpc.Tests.Teardown;

/// <summary>A peer started in the background leaves no failure unobserved (issue 11).</summary>
public class UnobservedFailureTests
{
    [Test]
    public async Task AStartedPeerWhoseTransportFailsToBeReleasedLeavesNoUnobservedTaskException()
    {
        var marker = $"release failed {Guid.NewGuid()}";
        var unobserved = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs args)
        {
            if (args.Exception.Flatten().InnerExceptions.Any(e => e.Message == marker))
                Interlocked.Increment(ref unobserved);
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await StartAndEndAsync(marker);

            // The run's task is unreachable now: collecting it reports its exception if nobody observed it. The run may
            // still be finishing on another thread, so collect a bounded number of times rather than wait for a time.
            for (var i = 0; i < 20 && Volatile.Read(ref unobserved) == 0; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Task.Yield();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.That(unobserved, Is.Zero, "the release failure was left unobserved");
    }

    [Test]
    public async Task APeerRunByTheUserThrowsTheReleaseFailure()
    {
        var (peer, handle) = global::FizyrRpc.Peer.Create(new FailingReleaseTransport("release failed"));
        var error = await TestSupport.TestWaits.ThrowsAsync<InvalidOperationException>(() => peer.RunAsync());
        Assert.That(error.Message, Is.EqualTo("release failed"));
        Assert.That(handle.CloseError?.Reason, Is.EqualTo(CloseReason.ClosedByRemote));
        await handle.Completion.WaitAsync(TestSupport.Loopback.Timeout);
    }

    // Not inlined, so no local of the caller keeps the run's task alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task StartAndEndAsync(string marker)
    {
        var handle = global::FizyrRpc.Peer.Start(new FailingReleaseTransport(marker));
        await handle.Completion.WaitAsync(TestSupport.Loopback.Timeout);
    }

    /// <summary>Ends at once (end of stream), and throws when released.</summary>
    private sealed class FailingReleaseTransport(string message) : IPeerTransport<StreamBody>
    {
        public ValueTask<Message<StreamBody>?> ReadMessageAsync(CancellationToken cancellationToken) => new((Message<StreamBody>?)null);

        public void ValidateOutgoing(in Message<StreamBody> message)
        {
        }

        public ValueTask WriteAsync(IReadOnlyList<Message<StreamBody>> messages, CancellationToken cancellationToken) => default;

        public void Abort()
        {
        }

        public async ValueTask DisposeAsync()
        {
            await Task.Yield();
            throw new InvalidOperationException(message);
        }
    }
}
