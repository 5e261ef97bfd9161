using System.Text;
using FizyrRpc.Transports;
using Microsoft.Win32.SafeHandles;

namespace FizyrRpc.Tests.Seqpacket;

/// <summary>Builds bodies and checks what arrived.</summary>
internal static class Bodies
{
    /// <summary>A body of <paramref name="text"/> (UTF-8) that takes ownership of <paramref name="descriptors"/>.</summary>
    public static UnixBody Text(string text, params SafeFileHandle[] descriptors) => new(Encoding.UTF8.GetBytes(text), descriptors);

    /// <summary>A body of <paramref name="text"/> carrying one new memfd per entry of <paramref name="memfdTexts"/>.</summary>
    public static UnixBody WithMemfds(string text, params string[] memfdTexts) =>
        Text(text, [.. memfdTexts.Select(Descriptors.Memfd)]);

    public static string TextOf(UnixBody body) => Encoding.UTF8.GetString(body.Span);

    /// <summary>Asserts the body's text and that its descriptors are memfds holding exactly <paramref name="memfdTexts"/>, in order.</summary>
    public static void AssertMemfds(UnixBody body, string text, params string[] memfdTexts)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TextOf(body), Is.EqualTo(text));
            Assert.That(body.FileDescriptors, Has.Count.EqualTo(memfdTexts.Length), "descriptor count");
        }

        Assert.That(body.FileDescriptors.Select(Descriptors.ReadText), Is.EqualTo(memfdTexts), "memfd contents, in order");
    }
}
