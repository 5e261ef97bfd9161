using MessagePack;

namespace FizyrRpc.Tests.Typed.Plain;

/// <summary>An interface whose bodies are plain C# types, with no serializer attributes (and one that has its own contract).</summary>
[RpcService]
public partial interface IPlainShop
{
    /// <summary>Places an order.</summary>
    [Service(1)]
    [RequestUpdate(10, typeof(Note), Name = "Note")]
    [ResponseUpdate(11, typeof(Progress), Name = "Progress")]
    Task<Receipt> OrderAsync(Order order, CancellationToken cancellationToken = default);

    /// <summary>Echoes a contract type.</summary>
    [Service(2)]
    Task<Contract> EchoContractAsync(Contract contract);

    /// <summary>Echoes a string-keyed contract type.</summary>
    [Service(3)]
    Task<NamedContract> EchoNamedAsync(NamedContract contract);

    /// <summary>Echoes bytes.</summary>
    [Service(4)]
    Task<ReadOnlyMemory<byte>> EchoBytesAsync(byte[] bytes);

    /// <summary>Echoes a nullable value.</summary>
    [Service(5)]
    Task<int?> EchoNumberAsync(int? number);

    /// <summary>Sent when an order has shipped.</summary>
    [Stream(20)]
    Task ShippedAsync(Receipt receipt);
}

/// <summary>How an order is paid.</summary>
public enum Payment : byte
{
    Cash,
    Card,
    Invoice = 200,
}

/// <summary>An order: a positional record with collections, an enum, nullable values and a nested type.</summary>
public sealed record Order(
    string Customer,
    Order.Line[] Lines,
    List<string> Tags,
    Dictionary<string, int> Counts,
    Payment Payment,
    int? Priority,
    string? Comment,
    IReadOnlyList<Order.Line>? Extra)
{
    /// <summary>A line of an order: a nested record struct.</summary>
    public readonly record struct Line(string Item, int Quantity, decimal Price);
}

/// <summary>A note, a request update.</summary>
public sealed record Note(string Text);

/// <summary>A progress report, a response update.</summary>
public sealed record Progress(int Done, double Fraction, DateTime At, Guid Id, TimeSpan Took);

/// <summary>The receipt: a class with init and required properties, bytes, and a computed property that is not data.</summary>
public sealed class Receipt
{
    public required string Customer { get; init; }

    public long Total { get; init; }

    public byte[] Signature { get; init; } = [];

    public ReadOnlyMemory<byte> Barcode { get; init; }

    public Dictionary<Payment, List<string?>> ByPayment { get; init; } = [];

    public Receipt? Previous { get; set; }

    public int[][] Grid { get; init; } = [];

    public string Summary => $"{Customer}: {Total}";
}

/// <summary>A type with its own MessagePack contract: integer keys with a gap, an ignored member.</summary>
[MessagePackObject]
public sealed record Contract([property: Key(0)] int Id, [property: Key(2)] string Name)
{
    [IgnoreMember]
    public string Ignored { get; init; } = "ignored";
}

/// <summary>A type with its own MessagePack contract: string keys.</summary>
[MessagePackObject]
public sealed record NamedContract([property: Key("id")] int Id, [property: Key("display_name")] string? DisplayName);
