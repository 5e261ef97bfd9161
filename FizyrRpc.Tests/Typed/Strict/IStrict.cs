using System.Collections.Concurrent;
using System.Threading.Channels;
using MessagePack;

namespace FizyrRpc.Tests.Typed.Strict;

/// <summary>An interface whose declared body types say what "no body" may mean: non-nullable ones refuse it, <c>T?</c> ones accept it.</summary>
[RpcService]
public partial interface IStrict
{
    /// <summary>A non-nullable request and response.</summary>
    [Service(2)]
    Task<ShotResult> ShootAsync(ShotRequest request, CancellationToken cancellationToken = default);

    /// <summary>A nullable request and response: "no body" is null.</summary>
    [Service(5)]
    Task<ShotResult?> MaybeShootAsync(ShotRequest? request, CancellationToken cancellationToken = default);

    /// <summary>A non-nullable string.</summary>
    [Service(3)]
    Task<string> NameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Bytes (the raw format's values; zero bytes are a value).</summary>
    [Service(4)]
    Task<byte[]> BytesAsync(byte[] data, CancellationToken cancellationToken = default);

    /// <summary>A non-nullable stream.</summary>
    [Stream(20)]
    Task NoticeAsync(ShotResult notice);

    /// <summary>A nullable stream.</summary>
    [Stream(21)]
    Task MaybeNoticeAsync(ShotResult? notice);
}

/// <summary>{"frames":..,"scene":..,"label":..}: label is an Option on the Rust side.</summary>
[MessagePackObject]
public sealed record ShotRequest([property: Key(0)] int Frames, [property: Key(1)] string Scene, [property: Key(2)] string? Label);

[MessagePackObject]
public sealed record ShotResult([property: Key(0)] int Frames);

/// <summary>A strict server that records every handler call, so a test proves which ones ran.</summary>
public sealed class StrictServer(IRpcFormat? format = null) : IStrict.ServerBase(format)
{
    /// <summary>Every handler call, in order, as "Name(value)".</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>What OnHandlerError saw.</summary>
    public ConcurrentQueue<Exception> HandlerErrors { get; } = new();

    /// <summary>Stream messages, valid or not, as "Name(value)" or "Invalid(id): message".</summary>
    public Channel<string> Streams { get; } = Channel.CreateUnbounded<string>();

    protected override Task<ShotResult> ShootAsync(ShotRequest request, ShootContext context)
    {
        Calls.Enqueue($"Shoot({request})");
        return Task.FromResult(new ShotResult(request.Frames));
    }

    protected override Task<ShotResult?> MaybeShootAsync(ShotRequest? request, MaybeShootContext context)
    {
        Calls.Enqueue($"MaybeShoot({request?.ToString() ?? "null"})");
        return Task.FromResult(request is null ? null : new ShotResult(request.Frames));
    }

    /// <summary>Completes with the stream context's token when a Notice with Frames = -1 comes.</summary>
    public TaskCompletionSource<CancellationToken> StreamToken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>"offline" is answered with an error on purpose; "bug" fails as a bug would.</summary>
    protected override Task<string> NameAsync(string name, NameContext context)
    {
        Calls.Enqueue($"Name({name})");
        return name switch
        {
            "offline" => throw new RpcErrorResponseException("camera offline"),
            "bug" => throw new NullReferenceException("secret internals"),
            _ => Task.FromResult(name),
        };
    }

    protected override Task<byte[]> BytesAsync(byte[] data, BytesContext context)
    {
        Calls.Enqueue($"Bytes({data.Length})");
        return Task.FromResult(data);
    }

    /// <summary>A Notice with Frames of 100 or more is answered with a Notice of Frames + 1, on the same connection.</summary>
    protected override async ValueTask OnNoticeAsync(ShotResult value, StreamContext context)
    {
        if (value.Frames == -1)
            StreamToken.TrySetResult(context.CancellationToken);
        if (value.Frames >= 100)
            await context.SendNoticeAsync(new ShotResult(value.Frames + 1));
        await Streams.Writer.WriteAsync($"Notice({value})", context.CancellationToken);
    }

    protected override ValueTask OnMaybeNoticeAsync(ShotResult? value, StreamContext context) =>
        Streams.Writer.WriteAsync($"MaybeNotice({value?.ToString() ?? "null"})", context.CancellationToken);

    protected override ValueTask OnInvalidStreamAsync(Message<StreamBody> stream, RpcFormatException error, StreamContext context) =>
        Streams.Writer.WriteAsync($"Invalid({stream.ServiceId}): {error.Message}", context.CancellationToken);

    protected override void OnHandlerError(MessageHeader header, Exception error) => HandlerErrors.Enqueue(error);
}
