namespace FizyrRpc;

/// <summary>
/// A transport that holds received bytes of its own before a message is whole (a large body still arriving): it
/// counts them against the connection's incoming budget, and waits for room there before it grows.
/// </summary>
internal interface IBudgetedTransport
{
    /// <summary>Called once, when the connection is created, before the first read.</summary>
    void UseReadBudget(ByteBudget budget);
}
