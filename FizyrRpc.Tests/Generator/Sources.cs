namespace FizyrRpc.Tests.Generator;

/// <summary>Interfaces the in-memory generator tests compile, each documented so the compile check can demand docs.</summary>
internal static class Sources
{
    /// <summary>Every feature: a call without body, a service with a request update and two response updates, streams.</summary>
    public const string Camera = """
        using System.Threading;
        using System.Threading.Tasks;
        using FizyrRpc;

        namespace Vision.Cameras;

        /// <summary>Why to cancel.</summary>
        public sealed record CancelReason(string Text);

        /// <summary>A recording state.</summary>
        public sealed record RecordState(int Progress);

        /// <summary>An image.</summary>
        public sealed record Image(byte[] Pixels);

        /// <summary>What to record.</summary>
        public sealed record RecordRequest(string Scene);

        /// <summary>The result.</summary>
        public sealed record RecordResult(int Frames);

        /// <summary>Interface to a camera server.</summary>
        [RpcService]
        public partial interface ICamera
        {
            /// <summary>Ping the server.</summary>
            [Service(0)]
            Task PingAsync(CancellationToken cancellationToken = default);

            /// <summary>Record an image.</summary>
            [Service(1)]
            [RequestUpdate(10, typeof(CancelReason), Name = "Cancel")]
            [ResponseUpdate(11, typeof(RecordState), Name = "State")]
            [ResponseUpdate(12, typeof(Image))]
            Task<RecordResult> RecordAsync(RecordRequest request, CancellationToken cancellationToken = default);

            /// <summary>Sent whenever the record state changes.</summary>
            [Stream(11)]
            Task RecordStateChangedAsync(RecordState state);
        }
        """;

    /// <summary>Plain calls only, internal, with keyword and nullable parameter types.</summary>
    public const string PlainCalls = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using FizyrRpc;

        namespace Tools;

        /// <summary>Adds numbers &amp; more.</summary>
        [RpcService]
        internal partial interface ICalculator
        {
            /// <summary>Adds the <paramref name="values"/>; see <see cref="List{T}"/>.</summary>
            [Service(1)]
            Task<long> AddAsync(List<int> values, CancellationToken cancellationToken = default);

            /// <summary>Resets the memory.</summary>
            [Service(2)]
            Task ResetAsync();

            /// <summary>Looks a name up, "maybe".</summary>
            [Service(3)]
            Task<string?> LookupAsync(string? @event);
        }
        """;

    /// <summary>ValueTask forms, hidden items, a service name, a void service with updates, a stream without body, the global namespace.</summary>
    public const string ValueTasksAndHidden = """
        using System.Threading;
        using System.Threading.Tasks;
        using FizyrRpc;

        /// <summary>A progress report.</summary>
        public sealed class Progress
        {
            /// <summary>Percent done.</summary>
            public int Percent { get; set; }
        }

        /// <summary>Stores blobs.</summary>
        [RpcService(Name = "storage_v2")]
        public partial interface IStorage
        {
            /// <summary>Stores a blob and returns its key.</summary>
            [Service(0)]
            ValueTask<string> PutAsync(byte[] blob, CancellationToken cancellationToken = default);

            /// <summary>Compacts the store.</summary>
            [Service(1)]
            [Hidden]
            [ResponseUpdate(1, typeof(Progress))]
            ValueTask CompactAsync(CancellationToken cancellationToken);

            /// <summary>The store is full.</summary>
            [Stream(0)]
            ValueTask FullAsync(CancellationToken cancellationToken = default);

            /// <summary>Internal heartbeat.</summary>
            [Stream(1)]
            [Hidden]
            Task HeartbeatAsync(long sequence);
        }
        """;
}
