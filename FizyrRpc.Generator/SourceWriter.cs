using System.Text;

namespace FizyrRpc.Generator;

/// <summary>Writes indented C# source, four spaces a level, with "\n" line ends whatever the platform.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line)
    {
        if (line.Length > 0)
            _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
    }

    public void Line() => _text.Append('\n');

    /// <summary>Writes <paramref name="header"/> and an opening brace, and indents what follows.</summary>
    public void Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
    }

    /// <summary>Writes an opening brace on its own line (after a multi-line header) and indents what follows.</summary>
    public void OpenBrace()
    {
        Line("{");
        _indent++;
    }

    /// <summary>Writes a closing brace (followed by <paramref name="suffix"/>) one level out.</summary>
    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _text.ToString();
}
