using System.Runtime.CompilerServices;

namespace FizyrRpc.Tests.Generator;

/// <summary>
/// Verify's file convention without the Verify package: text is compared with the committed
/// <c>Snapshots/&lt;TestClass&gt;.&lt;TestMethod&gt;.verified.cs</c> beside the test file; on a mismatch the test fails and
/// writes <c>.received.cs</c> beside it (git ignores those) — review it, and rename it to accept. Switching to Verify
/// means replacing this one file.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string actual, [CallerFilePath] string testFile = "", [CallerMemberName] string testMethod = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        var name = $"{Path.GetFileNameWithoutExtension(testFile)}.{testMethod}";
        var verified = Path.Combine(folder, name + ".verified.cs");
        var received = Path.Combine(folder, name + ".received.cs");
        var text = Normalize(actual);
        if (File.Exists(verified) && Normalize(File.ReadAllText(verified)) == text)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(received, text);
        Assert.Fail(File.Exists(verified)
            ? $"The generated code differs from {verified}; see {received}."
            : $"No snapshot {verified} yet; review {received} and rename it to accept it.");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\uFEFF');
}
