using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FizyrRpc.Generator.Model;

/// <summary>
/// Where a diagnostic points, as plain equatable values: a <see cref="Location"/> would pin its syntax tree (and so
/// the compilation) and break caching.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

    public static LocationInfo? From(SyntaxToken token) => From(token.GetLocation());

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}
