using MessagePack;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>The two operands of <see cref="IAdder.AddAsync"/>.</summary>
[MessagePackObject]
public sealed record AddArgs([property: Key(0)] int A, [property: Key(1)] int B);

/// <summary>The smallest useful typed service, for the typed-call benchmark.</summary>
[RpcService]
public partial interface IAdder
{
    /// <summary>Adds the two operands.</summary>
    [Service(1)]
    Task<int> AddAsync(AddArgs args, CancellationToken cancellationToken = default);
}

/// <summary>The benchmark's server: answers at once.</summary>
internal sealed class AdderServer : IAdder.ServerBase
{
    protected override Task<int> AddAsync(AddArgs args, AddContext context) => Task.FromResult(args.A + args.B);
}
