using MessagePack;

namespace FizyrRpc.Tests.Typed;

// A hand-written stand-in for what the generator emits for an interface like
//
//   [RpcService] interface ITest
//   {
//       [Service(0)] Task PingAsync();
//       [Service(1)] Task<int> AddAsync(AddRequest request);
//       [Service(2)] Task<string> EchoAsync(string text);
//       [Service(3)] Task FailAsync(string message);
//       [Service(4)] Task AnswerThenThrowAsync();
//       [Service(5)] [RequestUpdate(10, typeof(int), Name = "Adjust")]
//                    [ResponseUpdate(11, typeof(int), Name = "Progress")] [ResponseUpdate(12, typeof(string), Name = "Note")]
//                    Task<CountResult> CountAsync(int start);
//       [Service(6)] Task<string> WaitAsync(string tag);
//       [Service(7)] Task PublishAsync(int tick);
//       [Service(8), Hidden] Task<string> SecretAsync();
//       [Stream(20)] Task TickAsync(int value);
//       [Stream(21)] Task LogAsync(string text);
//       [Stream(22), Hidden] Task DebugAsync(string text);
//   }
//
// (no [RpcService] here: the real generator must not see it).

/// <summary>The IDs of the test interface.</summary>
public static class TestIds
{
    public const int Ping = 0;
    public const int Add = 1;
    public const int Echo = 2;
    public const int Fail = 3;
    public const int AnswerThenThrow = 4;
    public const int Count = 5;
    public const int Wait = 6;
    public const int Publish = 7;
    public const int Secret = 8;

    public const int Adjust = 10;
    public const int Progress = 11;
    public const int Note = 12;

    /// <summary>A response update of Count the interface does not declare (the server sends it anyway).</summary>
    public const int UndeclaredUpdate = 99;

    public const int Tick = 20;
    public const int Log = 21;
    public const int Debug = 22;
}

[MessagePackObject]
public sealed record AddRequest([property: Key(0)] int A, [property: Key(1)] int B);

[MessagePackObject]
public sealed record CountResult([property: Key(0)] int Total, [property: Key(1)] int UnknownUpdates);

/// <summary>The response updates of Count, as a generated union.</summary>
public abstract record CountUpdate
{
    private CountUpdate()
    {
    }

    public sealed record Progress(int Value) : CountUpdate;

    public sealed record Note(string Text) : CountUpdate;

    public sealed record Unknown(int ServiceId, byte[] Body) : CountUpdate;

    public static CountUpdate Decode(IRpcFormat format, Message<StreamBody> update) => update.ServiceId switch
    {
        TestIds.Progress => new Progress(format.Decode<int>(update.Body.Data)),
        TestIds.Note => new Note(format.Decode<string>(update.Body.Data)),
        _ => new Unknown(update.ServiceId, update.Body.Data.ToArray()),
    };
}

/// <summary>The request updates of Count, as a generated union.</summary>
public abstract record CountRequestUpdate
{
    private CountRequestUpdate()
    {
    }

    public sealed record Adjust(int Delta) : CountRequestUpdate;

    public sealed record Unknown(int ServiceId) : CountRequestUpdate;

    public static CountRequestUpdate Decode(IRpcFormat format, Message<StreamBody> update) => update.ServiceId switch
    {
        TestIds.Adjust => new Adjust(format.Decode<int>(update.Body.Data)),
        _ => new Unknown(update.ServiceId),
    };
}

/// <summary>The stream messages of the interface, as a generated union.</summary>
public abstract record TestStream
{
    private TestStream()
    {
    }

    public sealed record Tick(int Value) : TestStream;

    public sealed record Log(string Text) : TestStream;

    public sealed record Unknown(int ServiceId, byte[] Body) : TestStream;

    public static TestStream Decode(IRpcFormat format, Message<StreamBody> stream) => stream.ServiceId switch
    {
        TestIds.Tick => new Tick(format.Decode<int>(stream.Body.Data)),
        TestIds.Log => new Log(format.Decode<string>(stream.Body.Data)),
        _ => new Unknown(stream.ServiceId, stream.Body.Data.ToArray()),
    };
}

/// <summary>The introspection description the generator would emit.</summary>
public static class TestInterface
{
    public static RpcInterfaceInfo Info { get; } = new(
        "Test",
        [
            new(TestIds.Ping, "Ping", null, null, [], [], "Ping the server."),
            new(TestIds.Add, "Add", typeof(AddRequest), typeof(int), [], []),
            new(TestIds.Echo, "Echo", typeof(string), typeof(string), [], []),
            new(TestIds.Count, "Count", typeof(int), typeof(CountResult),
                [new(TestIds.Adjust, "Adjust", typeof(int))],
                [new(TestIds.Progress, "Progress", typeof(int)), new(TestIds.Note, "Note", typeof(string), "A remark.")]),
            new(TestIds.Secret, "Secret", null, typeof(string), [], [], Hidden: true),
            new(TestIds.Publish, "Publish", typeof(int), null, [], []),
        ],
        [
            new(TestIds.Tick, "Tick", typeof(int)),
            new(TestIds.Log, "Log", typeof(string), "A log line."),
            new(TestIds.Debug, "Debug", typeof(string), Hidden: true),
        ],
        "An interface for the typed runtime tests.");
}
