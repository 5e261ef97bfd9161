namespace FizyrRpc.Tests.Typed.Plain;

/// <summary>Answers every service of <see cref="IPlainShop"/> from what it got.</summary>
public sealed class PlainShopServer : IPlainShop.ServerBase
{
    /// <summary>The request update the last order got.</summary>
    public TaskCompletionSource<Note> Noted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task<Receipt> OrderAsync(Order order, OrderContext context)
    {
        await context.SendProgressAsync(Shop.Progress);
        await foreach (var update in context.ReadUpdatesAsync())
        {
            if (update is IPlainShop.OrderRequestUpdate.Note note)
            {
                Noted.TrySetResult(note.Value);
                break;
            }
        }

        var receipt = Shop.ReceiptFor(order);
        await context.SendShippedAsync(receipt);
        return receipt;
    }

    protected override Task<Contract> EchoContractAsync(Contract contract, EchoContractContext context) => Task.FromResult(contract);

    protected override Task<NamedContract> EchoNamedAsync(NamedContract contract, EchoNamedContext context) => Task.FromResult(contract);

    protected override Task<ReadOnlyMemory<byte>> EchoBytesAsync(byte[] bytes, EchoBytesContext context) => Task.FromResult<ReadOnlyMemory<byte>>(bytes);

    protected override Task<int?> EchoNumberAsync(int? number, EchoNumberContext context) => Task.FromResult(number);
}

/// <summary>The values the tests send and expect.</summary>
internal static class Shop
{
    public static readonly Progress Progress = new(1, 0.5, new DateTime(2026, 12, 5, 19, 0, 0, DateTimeKind.Utc), new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), TimeSpan.FromMilliseconds(1500));

    public static Order Order() => new(
        "ada",
        [new Order.Line("bolt", 3, 0.25m), new Order.Line("nut", 5, 0.1m)],
        ["fast", "fragile"],
        new Dictionary<string, int> { ["bolt"] = 3, ["nut"] = 5 },
        Payment.Invoice,
        Priority: 2,
        Comment: null,
        Extra: [new Order.Line("washer", 1, 0.05m)]);

    public static Receipt ReceiptFor(Order order) => new()
    {
        Customer = order.Customer,
        Total = order.Lines.Sum(line => line.Quantity) + (order.Extra?.Count ?? 0),
        Signature = [1, 2, 3],
        Barcode = new byte[] { 9, 8 },
        ByPayment = new() { [order.Payment] = ["a", null] },
        Previous = new Receipt { Customer = "earlier" },
        Grid = [[1, 2], [], [3]],
    };
}
