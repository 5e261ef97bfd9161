using System.Collections;
using System.Reflection;
using FizyrRpc.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FizyrRpc.Tests.Generator;

/// <summary>The pipeline caches: unrelated edits re-run nothing, and the model holds no Roslyn object that would pin a compilation.</summary>
public sealed class IncrementalTests
{
    private static readonly string[] Steps = [TrackingNames.Result, TrackingNames.Model, TrackingNames.Diagnostics];

    [Test]
    public void KnownTypes_AreLookedUpOncePerCompilation()
    {
        // Three interfaces in one compilation: one known-types step run, shared by the three parses.
        var run = GeneratorHarness.Run(Sources.Camera, Sources.PlainCalls, Sources.ValueTasksAndHidden);
        Assert.That(run.Result.TrackedSteps[TrackingNames.KnownTypes], Has.Length.EqualTo(1));
        Assert.That(run.Result.TrackedSteps[TrackingNames.Result].SelectMany(step => step.Outputs).ToList(), Has.Count.EqualTo(3));
    }

    [Test]
    public void UnrelatedSyntaxTree_LeavesEveryStepCached()
    {
        var compilation = GeneratorHarness.Compile(Sources.Camera);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var unrelated = CSharpSyntaxTree.ParseText("namespace Other; public sealed class Unrelated { }", GeneratorHarness.ParseOptions, path: "Other.cs");
        driver = driver.RunGenerators(compilation.AddSyntaxTrees(unrelated));

        var result = driver.GetRunResult().Results.Single();
        AssertReasons(result, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
        Assert.That(
            result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs).Select(output => output.Reason),
            Is.All.EqualTo(IncrementalStepRunReason.Cached));
    }

    [Test]
    public void EditThatOnlyMovesTheInterface_KeepsTheModel()
    {
        var compilation = GeneratorHarness.Compile(Sources.Camera);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        // The interface moves down a line: its file is re-parsed, but the model (no locations in it) is equal.
        var tree = compilation.SyntaxTrees.Single();
        var moved = tree.WithChangedText(tree.GetText().WithChanges(new Microsoft.CodeAnalysis.Text.TextChange(new(0, 0), "\n")));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, moved));

        var result = driver.GetRunResult().Results.Single();
        AssertReasons(result, IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Cached);
        Assert.That(
            result.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs).Select(output => output.Reason),
            Is.All.EqualTo(IncrementalStepRunReason.Cached));
    }

    [Test]
    public void ModifiedInterface_RegeneratesTheSource()
    {
        var compilation = GeneratorHarness.Compile(Sources.Camera);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        var tree = compilation.SyntaxTrees.Single();
        var edited = CSharpSyntaxTree.ParseText(Sources.Camera.Replace("[Service(0)]", "[Service(7)]", StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: tree.FilePath);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(tree, edited));

        var result = driver.GetRunResult().Results.Single();
        Assert.That(result.TrackedSteps[TrackingNames.Model].SelectMany(run => run.Outputs).Select(output => output.Reason), Is.All.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(result.GeneratedSources.Single(source => source.HintName == "Vision.Cameras.ICamera.ServerBase.g.cs").SourceText.ToString(), Does.Contain("case 7:"));
    }

    [Test]
    public void Model_HoldsNoSymbolSyntaxOrCompilation()
    {
        // A valid interface (a full model) and an invalid one (diagnostics with locations).
        var run = GeneratorHarness.Run(Sources.Camera, Sources.PlainCalls, Sources.ValueTasksAndHidden, """
            using System.Threading.Tasks;
            using FizyrRpc;
            [RpcService] public partial interface IBroken { [Service(1)] Task AAsync(); [Service(1)] Task BAsync(); }
            """);
        var values = run.Result.TrackedSteps[TrackingNames.Result].SelectMany(step => step.Outputs).Select(output => output.Value).ToList();
        Assert.That(values, Has.Count.EqualTo(4));

        var problems = new List<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var value in values)
            Walk(value, "Result", problems, seen);
        Assert.That(problems, Is.Empty);
        Assert.That(seen.Count, Is.GreaterThan(20), "the walk reached into the models");
    }

    private static void AssertReasons(GeneratorRunResult result, params IncrementalStepRunReason[] allowed)
    {
        foreach (var step in Steps)
        {
            Assert.That(result.TrackedSteps.ContainsKey(step), Is.True, $"step {step} is tracked");
            var reasons = result.TrackedSteps[step].SelectMany(run => run.Outputs).Select(output => output.Reason).ToList();
            Assert.That(reasons, Is.Not.Empty, step);
            Assert.That(reasons, Is.All.AnyOf(allowed.Cast<object>().ToArray()), step);
        }
    }

    private static readonly Type[] Forbidden =
        [typeof(ISymbol), typeof(SyntaxNode), typeof(SemanticModel), typeof(Compilation), typeof(Location), typeof(SyntaxTree)];

    /// <summary>Walks every field of the generator's own model types (reflection in the test only).</summary>
    private static void Walk(object? value, string path, List<string> problems, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
            return;
        var type = value.GetType();
        if (Forbidden.Any(forbidden => forbidden.IsAssignableFrom(type)))
        {
            problems.Add($"{path} holds a {type.Name}");
            return;
        }

        if (!type.IsValueType && !seen.Add(value))
            return;
        if (value is IEnumerable items && type.Assembly != typeof(RpcServiceGenerator).Assembly)
        {
            var i = 0;
            foreach (var item in items)
                Walk(item, $"{path}[{i++}]", problems, seen);
            return;
        }

        if (type.Assembly != typeof(RpcServiceGenerator).Assembly)
            return; // a Roslyn value the generator may hold: DiagnosticDescriptor, TextSpan, LinePositionSpan
        if (type.IsValueType)
            seen.Add(value);
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (Forbidden.Any(forbidden => forbidden.IsAssignableFrom(field.FieldType)))
                    problems.Add($"{path}.{field.Name} is declared as {field.FieldType.Name}");
                Walk(field.GetValue(value), $"{path}.{field.Name}", problems, seen);
            }
        }
    }
}
