namespace FizyrRpc.Tests.Generator;

/// <summary>The generated code of representative interfaces, compared with committed snapshots, and compiled warning-free.</summary>
public sealed class SnapshotTests
{
    [Test]
    public void Camera() => VerifyAndCompile(Sources.Camera);

    [Test]
    public void PlainCalls() => VerifyAndCompile(Sources.PlainCalls);

    [Test]
    public void ValueTasksAndHidden() => VerifyAndCompile(Sources.ValueTasksAndHidden);

    private static void VerifyAndCompile(string source, [System.Runtime.CompilerServices.CallerMemberName] string testMethod = "")
    {
        var run = GeneratorHarness.Run(source);
        Assert.That(run.Diagnostics, Is.Empty);
        // Nullable on, docs diagnosed, every warning counts: consumers build with warnings as errors.
        Assert.That(run.CompileProblems.Select(diagnostic => diagnostic.ToString()), Is.Empty);
        Snapshot.Verify(run.GeneratedFiles, testMethod: testMethod);
    }
}
