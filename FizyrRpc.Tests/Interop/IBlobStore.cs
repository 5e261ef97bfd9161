namespace FizyrRpc.Tests.Interop;

/// <summary>A blob store whose bodies are bytes, for <see cref="RawFormat"/>: anything passes through untouched.</summary>
[RpcService]
public partial interface IBlobStore
{
    /// <summary>Stores a blob: echoes it as a Progress update, answers with it reversed; an empty blob waits for a Chunk update.</summary>
    [Service(1)]
    [RequestUpdate(10, typeof(byte[]), Name = "Chunk")]
    [ResponseUpdate(11, typeof(ReadOnlyMemory<byte>), Name = "Progress")]
    Task<byte[]> PutAsync(byte[] blob, CancellationToken cancellationToken = default);

    /// <summary>Gets a blob by key.</summary>
    [Service(2)]
    Task<ReadOnlyMemory<byte>> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default);

    /// <summary>Touches the store: no body either way.</summary>
    [Service(3)]
    Task TouchAsync(CancellationToken cancellationToken = default);

    /// <summary>A blob changed.</summary>
    [Stream(5)]
    Task BlobChangedAsync(byte[] key);
}
