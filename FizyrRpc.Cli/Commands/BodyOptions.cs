using System.CommandLine;
using System.CommandLine.Parsing;

namespace FizyrRpc.Cli.Commands;

/// <summary>The body of what a command sends: <c>--text</c>, <c>--hex</c> or <c>--file</c> (at most one; none is an empty body).</summary>
internal sealed class BodyOptions
{
    public Option<string?> Text { get; } = new("--text") { Description = "The body as UTF-8 text", HelpName = "TEXT" };

    public Option<string?> Hex { get; } = new("--hex") { Description = "The body as hex digits (an optional 0x prefix, spaces ignored)", HelpName = "HEX" };

    public Option<FileInfo> File { get; } = new("--file") { Description = "The body is the content of this file", HelpName = "FILE" };

    public BodyOptions()
    {
        Hex.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !TryParseHex(result.Tokens[0].Value, out _))
                result.AddError($"--hex '{result.Tokens[0].Value}' is not an even number of hex digits.");
        });
        File.AcceptExistingOnly();
    }

    /// <summary>Adds the options and the check that at most one is given.</summary>
    public void AddTo(Command command)
    {
        command.Add(Text);
        command.Add(Hex);
        command.Add(File);
        command.Validators.Add(result =>
        {
            var given = new Option[] { Text, Hex, File }.Where(option => result.GetResult(option) is { Implicit: false }).ToList();
            if (given.Count > 1)
                result.AddError($"Give at most one of --text, --hex and --file (got {string.Join(", ", given.Select(o => o.Name))}).");
        });
    }

    /// <summary>The body given on the command line.</summary>
    public byte[] GetBody(ParseResult parse)
    {
        if (parse.GetValue(Text) is { } text)
            return System.Text.Encoding.UTF8.GetBytes(text);
        if (parse.GetValue(Hex) is { } hex && TryParseHex(hex, out var bytes))
            return bytes;
        if (parse.GetValue(File) is { } file)
            return System.IO.File.ReadAllBytes(file.FullName);
        return [];
    }

    /// <summary>Reads hex digits, with an optional 0x prefix and spaces anywhere.</summary>
    public static bool TryParseHex(string text, out byte[] bytes)
    {
        var digits = text.Replace(" ", "", StringComparison.Ordinal);
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            digits = digits[2..];
        try
        {
            bytes = Convert.FromHexString(digits);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
