/// <summary>
/// A scenario name taken apart: [floor-|typed-]transport[-pipelined|-updates|-oneway], or grpc-unary / grpc-stream.
/// Each name has one floor: the raw-socket run of the same transport and the same load.
/// </summary>
internal sealed record ScenarioName(string Name, string Kind, string Transport, string Variant)
{
    public const string Help =
        "tcp, unix-stream, unix-seqpacket (engine, one task per request in flight); tcp-pipelined, unix-stream-pipelined " +
        "(engine, one task keeps N in flight); typed-tcp, typed-unix-stream, typed-unix-seqpacket (generated typed client); " +
        "tcp-updates, unix-stream-updates (10 responder updates per request); tcp-oneway, unix-stream-oneway (stream " +
        "messages one way); floor-tcp, floor-unix-stream, floor-unix-seqpacket, floor-tcp-updates, floor-unix-stream-updates, " +
        "floor-tcp-oneway, floor-unix-stream-oneway (the raw-socket floors); grpc-unary, grpc-stream";

    private static readonly string[] Transports = ["tcp", "unix-stream", "unix-seqpacket"];
    private static readonly string[] Variants = ["pipelined", "updates", "oneway"];

    public bool IsGrpc => Kind == "grpc";

    public bool IsFloor => Kind == "floor";

    public LoadMode Mode => Variant switch
    {
        "updates" => LoadMode.Updates,
        "oneway" => LoadMode.OneWay,
        _ => LoadMode.Echo,
    };

    /// <summary>The floor it is measured against; gRPC runs over TCP, pipelining and typing do not change the floor.</summary>
    public string Floor => IsGrpc ? "floor-tcp" : Variant is "updates" or "oneway" ? $"floor-{Transport}-{Variant}" : $"floor-{Transport}";

    public static ScenarioName Parse(string name)
    {
        if (name is "grpc-unary" or "grpc-stream")
            return new ScenarioName(name, "grpc", "tcp", name[5..]);
        var rest = name;
        var kind = "engine";
        foreach (var prefix in (string[])["floor", "typed"])
        {
            if (rest.StartsWith(prefix + "-", StringComparison.Ordinal))
            {
                kind = prefix;
                rest = rest[(prefix.Length + 1)..];
            }
        }

        var transport = Transports.FirstOrDefault(t => rest == t || rest.StartsWith(t + "-", StringComparison.Ordinal))
            ?? throw new ArgumentException($"Unknown scenario '{name}': {Help}.", nameof(name));
        var variant = rest.Length > transport.Length ? rest[(transport.Length + 1)..] : "";
        if (variant.Length > 0 && !Variants.Contains(variant))
            throw new ArgumentException($"Unknown scenario '{name}': {Help}.", nameof(name));
        if ((kind == "typed" && variant.Length > 0) || (kind == "floor" && variant == "pipelined")
            || (transport == "unix-seqpacket" && variant.Length > 0))
            throw new ArgumentException($"Scenario '{name}' is not one this generator runs: {Help}.", nameof(name));
        return new ScenarioName(name, kind, transport, variant);
    }
}
