using System.Runtime.CompilerServices;

namespace FizyrRpc.Tests.Generator;

/// <summary>
/// Verify's file convention without the Verify package: each generated file is compared with the committed
/// <c>Snapshots/&lt;TestClass&gt;.&lt;TestMethod&gt;#&lt;HintName&gt;.verified.cs</c> beside the test file; on a mismatch the test
/// fails and writes <c>.received.cs</c> beside it (git ignores those) — review it, and rename it to accept. A verified
/// snapshot of a file no longer generated fails the test too. The generator's version in <c>[GeneratedCode]</c> is
/// scrubbed, so a version bump changes no snapshot. Switching to Verify means replacing this one file.
/// </summary>
internal static class Snapshot
{
    public static void Verify(IReadOnlyList<(string HintName, string Text)> files, [CallerFilePath] string testFile = "", [CallerMemberName] string testMethod = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        var prefix = $"{Path.GetFileNameWithoutExtension(testFile)}.{testMethod}#";
        var problems = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (hintName, text) in files)
        {
            var name = prefix + Path.GetFileNameWithoutExtension(hintName);
            expected.Add(name + ".verified.cs");
            var verified = Path.Combine(folder, name + ".verified.cs");
            var received = Path.Combine(folder, name + ".received.cs");
            var actual = Normalize(text);
            if (File.Exists(verified) && Normalize(File.ReadAllText(verified)) == actual)
            {
                File.Delete(received);
                continue;
            }

            Directory.CreateDirectory(folder);
            File.WriteAllText(received, actual);
            problems.Add(File.Exists(verified)
                ? $"The generated code differs from {verified}; see {received}."
                : $"No snapshot {verified} yet; review {received} and rename it to accept it.");
        }

        if (Directory.Exists(folder))
        {
            foreach (var stale in Directory.GetFiles(folder, prefix + "*.verified.cs"))
            {
                if (!expected.Contains(Path.GetFileName(stale)))
                    problems.Add($"{stale} is no longer generated: delete it.");
            }
        }

        if (problems.Count > 0)
            Assert.Fail(string.Join("\n", problems));
    }

    private static string Normalize(string text) =>
        System.Text.RegularExpressions.Regex.Replace(
            text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\uFEFF'),
            "GeneratedCode\\(\"FizyrRpc\\.Generator\", \"[^\"]*\"\\)",
            "GeneratedCode(\"FizyrRpc.Generator\", \"{version}\")");
}
