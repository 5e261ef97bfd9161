using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using FizyrRpc.Cli.Addressing;
using FizyrRpc.Cli.Output;
using FizyrRpc.Transports;

namespace FizyrRpc.Cli.Commands;

/// <summary>The options every command takes (byte order, body limits, output), and the shared argument kinds.</summary>
internal sealed class CommonOptions
{
    public Option<string?> Endian { get; } = new("--endian")
    {
        Description = "Byte order of the header and length prefix [default: little on tcp:// and unix:, native on unix-seqpacket:]",
        HelpName = "little|big|native",
    };

    public Option<int?> MaxBodyRead { get; } = new("--max-body-read")
    {
        Description = $"Largest body accepted, in bytes [default: {TransportSettings.DefaultStreamMaxBody} on byte streams, {TransportSettings.DefaultSeqpacketMaxBody} on seqpacket]",
        HelpName = "BYTES",
    };

    public Option<int?> MaxBodyWrite { get; } = new("--max-body-write")
    {
        Description = "Largest body sent, in bytes [default: as --max-body-read]",
        HelpName = "BYTES",
    };

    public Option<string> Format { get; } = new("--format")
    {
        Description = "Decode bodies for display: raw (text or 0x-hex), json, or msgpack (shown as JSON)",
        HelpName = "raw|json|msgpack",
        DefaultValueFactory = _ => "raw",
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON object per line instead of text",
    };

    public CommonOptions()
    {
        Endian.AcceptOnlyFromAmong("little", "big", "native");
        Format.AcceptOnlyFromAmong("raw", "json", "msgpack");
        MaxBodyRead.Validators.Add(NonNegative);
        MaxBodyWrite.Validators.Add(NonNegative);
    }

    /// <summary>Adds the common options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(Endian);
        command.Add(MaxBodyRead);
        command.Add(MaxBodyWrite);
        command.Add(Format);
        command.Add(Json);
    }

    /// <summary>The transport settings given on the command line.</summary>
    public TransportSettings GetSettings(ParseResult parse) => new(
        parse.GetValue(Endian) switch
        {
            "little" => FizyrRpc.Endian.Little,
            "big" => FizyrRpc.Endian.Big,
            "native" => FizyrRpc.Endian.Native,
            _ => null,
        },
        parse.GetValue(MaxBodyRead),
        parse.GetValue(MaxBodyWrite));

    /// <summary>How bodies are shown.</summary>
    public BodyDisplay GetDisplay(ParseResult parse) => new(parse.GetValue(Format) switch
    {
        "json" => BodyFormat.Json,
        "msgpack" => BodyFormat.MsgPack,
        _ => BodyFormat.Raw,
    });

    /// <summary>An address argument, checked at parse time (a bad one is a usage error).</summary>
    public static Argument<RpcAddress> AddressArgument(string name, string description) => new(name)
    {
        Description = $"{description}: {RpcAddress.Forms}",
        CustomParser = ParseAddress,
    };

    /// <summary>An address option, checked at parse time.</summary>
    public static Option<RpcAddress> AddressOption(string name, string description) => new(name)
    {
        Description = $"{description}: {RpcAddress.Forms}",
        HelpName = "ADDRESS",
        CustomParser = ParseAddress,
        Required = true,
    };

    private static RpcAddress ParseAddress(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (RpcAddress.TryParse(text, out var address, out var error))
            return address!;
        result.AddError(error!);
        return new RpcAddress(TransportKind.Tcp, "invalid:0");
    }

    private static void NonNegative(OptionResult result)
    {
        if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out _) is false)
            result.AddError($"{result.Option.Name} must be a number of bytes, 0 or more.");
    }
}
