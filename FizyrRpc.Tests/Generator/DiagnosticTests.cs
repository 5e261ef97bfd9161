using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FizyrRpc.Tests.Generator;

/// <summary>
/// Every diagnostic of the generator, with its exact location: the source marks the expected span with [| and |].
/// An interface with an error generates no code.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Header = """
        using System.Threading;
        using System.Threading.Tasks;
        using FizyrRpc;

        namespace Test;

        public sealed class Body { }

        """;

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("FRPC001", "not partial", """
            [RpcService] public interface [|IFoo|] { [Service(0)] Task PingAsync(); }
            """);
        yield return Case("FRPC002", "duplicate service ID", """
            [RpcService] public partial interface IFoo { [Service(1)] Task AAsync(); [[|Service(1)|]] Task BAsync(); }
            """);
        yield return Case("FRPC003", "duplicate stream ID", """
            [RpcService] public partial interface IFoo { [Stream(5)] Task AAsync(Body b); [[|Stream(5)|]] Task BAsync(Body b); }
            """);
        yield return Case("FRPC004", "duplicate request-update ID", """
            [RpcService] public partial interface IFoo
            {
                [Service(1)]
                [RequestUpdate(10, typeof(Body), Name = "A")]
                [[|RequestUpdate(10, typeof(Body), Name = "B")|]]
                Task XAsync();
            }
            """);
        yield return Case("FRPC005", "duplicate response-update ID", """
            [RpcService] public partial interface IFoo
            {
                [Service(1)]
                [ResponseUpdate(10, typeof(Body), Name = "A")]
                [[|ResponseUpdate(10, typeof(Body), Name = "B")|]]
                Task XAsync();
            }
            """);
        yield return Case("FRPC006", "no [Service] or [Stream]", """
            [RpcService] public partial interface IFoo { Task [|XAsync|](); }
            """);
        yield return Case("FRPC007", "both [Service] and [Stream]", """
            [RpcService] public partial interface IFoo { [Service(1)] [Stream(1)] Task [|XAsync|](); }
            """);
        yield return Case("FRPC008", "service returning void", """
            [RpcService] public partial interface IFoo { [Service(1)] [|void|] X(); }
            """);
        yield return Case("FRPC008", "stream returning a value", """
            [RpcService] public partial interface IFoo { [Stream(1)] [|Task<int>|] XAsync(); }
            """);
        yield return Case("FRPC009", "two body parameters", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync(Body a, Body [|b|]); }
            """);
        yield return Case("FRPC009", "ref parameter", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync(ref Body [|a|]); }
            """);
        yield return Case("FRPC009", "params parameter", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync(params int[] [|a|]); }
            """);
        yield return Case("FRPC009", "CancellationToken not last", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync(CancellationToken [|ct|], Body a); }
            """);
        yield return Case("FRPC009", "stream with two values", """
            [RpcService] public partial interface IFoo { [Stream(1)] Task XAsync(Body a, int [|b|]); }
            """);
        yield return Case("FRPC010", "generic method", """
            [RpcService] public partial interface IFoo { [Service(1)] Task [|XAsync|]<T>(T a); }
            """);
        yield return Case("FRPC011", "duplicate update names", """
            [RpcService] public partial interface IFoo
            {
                [Service(1)]
                [ResponseUpdate(10, typeof(Body), Name = "A")]
                [[|ResponseUpdate(11, typeof(Body), Name = "A")|]]
                Task XAsync();
            }
            """);
        yield return Case("FRPC012", "updates on a stream", """
            [RpcService] public partial interface IFoo { [Stream(1)] [[|ResponseUpdate(10, typeof(Body))|]] Task XAsync(Body b); }
            """);
        yield return Case("FRPC001", "nested in a type that is not partial", """
            public class Outer { [RpcService] public partial interface [|IFoo|] { [Service(1)] Task XAsync(); } }
            """);
        yield return Case("FRPC013", "generic interface", """
            [RpcService] public partial interface [|IFoo|]<T> { [Service(1)] Task XAsync(); }
            """);
        yield return Case("FRPC013", "nested in a generic type", """
            public partial class Outer<T> { [RpcService] public partial interface [|IFoo|] { [Service(1)] Task XAsync(); } }
            """);
        yield return Case("FRPC014", "update named Unknown", """
            [RpcService] public partial interface IFoo { [Service(1)] [[|ResponseUpdate(10, typeof(Body), Name = "Unknown")|]] Task XAsync(); }
            """);
        yield return Case("FRPC014", "stream named Unknown", """
            [RpcService] public partial interface IFoo { [Stream(1)] Task [|UnknownAsync|](); }
            """);
        yield return Case("FRPC014", "stream named Invalid", """
            [RpcService] public partial interface IFoo { [Stream(1)] Task [|InvalidAsync|](); }
            """);
        yield return Case("FRPC014", "service named Unknown", """
            [RpcService] public partial interface IFoo { [Service(1)] Task [|UnknownAsync|](); }
            """);
        yield return Case("FRPC014", "service named Invalid", """
            [RpcService] public partial interface IFoo { [Service(1)] Task [|InvalidAsync|](); }
            """);
        yield return Case("FRPC015", "property", """
            [RpcService] public partial interface IFoo { int [|Count|] { get; } }
            """);
        yield return Case("FRPC016", "private nested interface", """
            public partial class Outer { [RpcService] private partial interface [|IFoo|] { [Service(1)] Task XAsync(); } }
            """);
        yield return Case("FRPC017", "a method named like a type generated into the interface", """
            [RpcService] public partial interface IFoo { [Service(1)] Task [|Client|](); }
            """);
        yield return Case("FRPC017", "a method named like a static member generated into the interface", """
            [RpcService] public partial interface IFoo { [Service(1)] Task [|DecodeXResponseUpdate|](); [Service(2)] [ResponseUpdate(1, typeof(Body), Name = "A")] Task XAsync(); }
            """);
        yield return Case("FRPC017", "a stream named like the stream union", """
            [RpcService] public partial interface IFoo { [Stream(1)] Task [|StreamMessageAsync|](); }
            """);
        yield return Case("FRPC017", "an update named like a member of the union's cases (a type named Body)", """
            [RpcService] public partial interface IFoo { [Service(1)] [[|ResponseUpdate(10, typeof(Body))|]] Task XAsync(); }
            """);
        yield return Case("FRPC017", "a stream named like a member of the union's cases", """
            [RpcService] public partial interface IFoo { [Stream(1)] Task [|ValueAsync|](); }
            """);
        yield return Case("FRPC017", "an update named like its union", """
            [RpcService] public partial interface IFoo { [Service(1)] [[|ResponseUpdate(10, typeof(Body), Name = "XResponseUpdate")|]] Task XAsync(); }
            """);
        yield return Case("FRPC017", "overloaded service", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync(); [Service(2)] Task [|XAsync|](Body b); }
            """);
        yield return Case("FRPC017", "response update and stream share a Send method", """
            [RpcService] public partial interface IFoo
            {
                [Service(1)] [[|ResponseUpdate(10, typeof(Body), Name = "Changed")|]] Task XAsync();
                [Stream(1)] Task ChangedAsync(Body b);
            }
            """);
        yield return Case("FRPC017", "a service whose context would be the stream handlers' StreamContext", """
            [RpcService] public partial interface IFoo { [Service(1)] Task [|StreamAsync|](); }
            """);
        yield return Case("FRPC017", "a stream whose handler would be OnInvalidStreamAsync", """
            [RpcService] public partial interface IFoo { [Stream(1)] Task [|InvalidStreamAsync|](Body b); }
            """);
        yield return Case("FRPC018", "base interface", """
            public interface IBase { }
            [RpcService] public partial interface IFoo : [|IBase|] { [Service(1)] Task XAsync(); }
            """);
        yield return Case("FRPC019", "method named like a client member", """
            [RpcService] public partial interface IFoo { [Service(1)] Task [|CloseAsync|](); }
            """);
        yield return Case("FRPC020", "update name not an identifier", """
            [RpcService] public partial interface IFoo { [Service(1)] [[|RequestUpdate(10, typeof(Body), Name = "stop-now")|]] Task XAsync(); }
            """);
        yield return Case("FRPC021", "delegate request", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync([|System.Action|] callback); }
            """);
        yield return Case("FRPC021", "Stream request", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync([|System.IO.Stream|] data); }
            """);
        yield return Case("FRPC021", "interface response", """
            [RpcService] public partial interface IFoo { [Service(1)] Task<[|System.IDisposable|]> XAsync(); }
            """);
        yield return Case("FRPC021", "object stream value", """
            [RpcService] public partial interface IFoo { [Stream(1)] Task XAsync([|object|] value); }
            """);
        yield return Case("FRPC021", "abstract update", """
            public abstract class Shape { }
            [RpcService] public partial interface IFoo { [Service(1)] [ResponseUpdate(10, [|typeof(Shape)|])] Task XAsync(); }
            """);
        yield return Case("FRPC021", "delegate member of a record", """
            public sealed record Job(string Name, System.Func<int> Run);
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync([|Job|] job); }
            """);
        yield return Case("FRPC021", "pointer member", """
            public unsafe struct Raw { public int* Data; }
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync([|Raw|] raw); }
            """);
        yield return Case("FRPC021", "unsupported collection", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync([|System.Collections.Generic.HashSet<int>|] set); }
            """);
        yield return Case("FRPC021", "dictionary with record keys", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync([|System.Collections.Generic.Dictionary<Body, int>|] map); }
            """);
        yield return Case("FRPC021", "multi-dimensional array", """
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync([|int[,]|] grid); }
            """);
        yield return Case("FRPC021", "framework type in a list member", """
            public sealed record Wrapper(System.Collections.Generic.List<System.Threading.Tasks.Task> Tasks);
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync([|Wrapper|] w); }
            """);
        yield return Case("FRPC022", "no accessible constructor", """
            public sealed class Sealed { private Sealed() { } public int X { get; set; } }
            [RpcService] public partial interface IFoo { [Service(1)] Task<[|Sealed|]> XAsync(); }
            """);
        yield return Case("FRPC022", "constructor parameter that is no member", """
            public sealed class Odd { public Odd(int seed) { X = seed; } public int X { get; } }
            [RpcService] public partial interface IFoo { [Service(1)] Task XAsync([|Odd|] odd); }
            """);
    }

    [TestCaseSource(nameof(Cases))]
    public void ReportsDiagnostic_AtItsLocation(string id, string markup)
    {
        var (source, span) = Parse(Header + markup);
        var run = GeneratorHarness.Run(source);

        Assert.That(run.Diagnostics.Select(d => d.Id), Is.EqualTo(new[] { id }), string.Join("\n", run.Diagnostics));
        var diagnostic = run.Diagnostics[0];
        Assert.That(diagnostic.Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(diagnostic.Descriptor.Category, Is.EqualTo("FizyrRpc"));
        // Rebuilt from path + span + line span (no syntax tree is held): an external file location on the same file.
        Assert.That(diagnostic.Location.GetLineSpan().Path, Is.EqualTo("Source0.cs"));
        Assert.That(
            diagnostic.Location.SourceSpan,
            Is.EqualTo(span),
            $"expected '{source.Substring(span.Start, span.Length)}', got '{source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length)}'");
        var line = source[..span.Start].Count(c => c == '\n');
        Assert.That(diagnostic.Location.GetLineSpan().StartLinePosition.Line, Is.EqualTo(line));
        Assert.That(run.Result.GeneratedSources, Is.Empty, "an interface with an error generates no code");
        Assert.That(diagnostic.Descriptor.HelpLinkUri, Does.EndWith("#" + id.ToLowerInvariant()));
    }

    [Test]
    public void EveryDiagnostic_LinksToItsReadmeRow()
    {
        var descriptors = typeof(FizyrRpc.Generator.RpcServiceGenerator).Assembly
            .GetType("FizyrRpc.Generator.Diagnostics.DiagnosticDescriptors", throwOnError: true)!
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)
            .ToList();
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        Assert.That(descriptors, Has.Count.GreaterThanOrEqualTo(22));
        foreach (var descriptor in descriptors)
        {
            var anchor = descriptor.Id.ToLowerInvariant();
            Assert.That(Uri.TryCreate(descriptor.HelpLinkUri, UriKind.Absolute, out var link), Is.True, descriptor.Id);
            Assert.That(link!.Fragment, Is.EqualTo("#" + anchor), descriptor.Id);
            // The README row the anchor points at: its own ID, its own anchor.
            Assert.That(readme, Does.Contain($"| <a id=\"{anchor}\"></a>{descriptor.Id} |"), descriptor.Id);
        }
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "")
    {
        var folder = Path.GetDirectoryName(path);
        while (folder is not null && !File.Exists(Path.Combine(folder, "FizyrRpc.sln")))
            folder = Path.GetDirectoryName(folder);
        return folder ?? throw new InvalidOperationException("no FizyrRpc.sln above " + path);
    }

    [Test]
    public void SeparateIdSpaces_AreNotDuplicates()
    {
        // Service 1 and stream 1; request update 10 and response update 10 of one service; update 10 on two services.
        var run = GeneratorHarness.Run(Header + """
            /// <summary>Foo.</summary>
            [RpcService] public partial interface IFoo
            {
                /// <summary>X.</summary>
                [Service(1)]
                [RequestUpdate(10, typeof(Body), Name = "In")]
                [ResponseUpdate(10, typeof(Body), Name = "Out")]
                Task XAsync();

                /// <summary>Y.</summary>
                [Service(2)]
                [ResponseUpdate(10, typeof(Body), Name = "Done")]
                Task YAsync();

                /// <summary>Z.</summary>
                [Stream(1)]
                Task ZAsync(Body b);
            }
            """);

        Assert.That(run.Diagnostics, Is.Empty);
        // The interface's members, the resolver, two unions per service with updates, streams, incoming, client, server.
        Assert.That(run.Result.GeneratedSources.Select(source => source.HintName), Is.EqualTo(new[]
        {
            "Test.IFoo.g.cs", "Test.IFoo.MessagePackResolver.g.cs", "Test.IFoo.XRequestUpdate.g.cs", "Test.IFoo.XResponseUpdate.g.cs",
            "Test.IFoo.YRequestUpdate.g.cs", "Test.IFoo.YResponseUpdate.g.cs", "Test.IFoo.StreamMessage.g.cs", "Test.IFoo.Incoming.g.cs",
            "Test.IFoo.Client.g.cs", "Test.IFoo.ServerBase.g.cs",
        }));
    }

    private static TestCaseData Case(string id, string what, string markup) =>
        new TestCaseData(id, markup).SetName($"{id} {what}");

    private static (string Source, TextSpan Span) Parse(string markup)
    {
        var start = markup.IndexOf("[|", StringComparison.Ordinal);
        var end = markup.IndexOf("|]", StringComparison.Ordinal);
        var source = markup[..start] + markup[(start + 2)..end] + markup[(end + 2)..];
        return (source, new TextSpan(start, end - start - 2));
    }
}
