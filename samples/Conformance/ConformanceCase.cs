namespace FizyrRpc.Samples.Conformance;

/// <summary>One check of a conformance server: a name for the report and the conversation that checks it.</summary>
/// <param name="Name">What the report calls it.</param>
/// <param name="RunAsync">Throws (a <see cref="ConformanceFailure"/>, usually) when the server gets it wrong.</param>
/// <typeparam name="TBody">The body type of the transport the case runs on.</typeparam>
internal sealed record ConformanceCase<TBody>(string Name, Func<ClientSession<TBody>, CancellationToken, Task> RunAsync)
    where TBody : IMessageBody<TBody>;
