namespace FizyrRpc.Tests.Interop;

/// <summary>A raw-format blob store on the generated base; see <see cref="IBlobStore"/> for what each service does.</summary>
public sealed class RawBlobServer() : IBlobStore.ServerBase(RawFormat.Default)
{
    /// <summary>The first BlobChanged stream message received.</summary>
    public TaskCompletionSource<byte[]> Changed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task<byte[]> PutAsync(byte[] blob, PutContext context)
    {
        if (blob.Length == 0)
        {
            await foreach (var update in context.ReadUpdatesAsync())
            {
                if (update is IBlobStore.PutRequestUpdate.Chunk chunk)
                    return chunk.Value;
            }

            throw new InvalidOperationException("the request ended without a chunk");
        }

        await context.SendProgressAsync(blob);
        await context.SendBlobChangedAsync(blob[..1]);
        return [.. blob.Reverse()];
    }

    protected override Task<ReadOnlyMemory<byte>> GetAsync(ReadOnlyMemory<byte> key, GetContext context) =>
        Task.FromResult<ReadOnlyMemory<byte>>((byte[])[0xc0, .. key.ToArray(), 0x00]);

    protected override Task TouchAsync(TouchContext context) => Task.CompletedTask;

    protected override ValueTask OnBlobChangedAsync(byte[] value, StreamContext context)
    {
        Changed.TrySetResult(value);
        return default;
    }
}
