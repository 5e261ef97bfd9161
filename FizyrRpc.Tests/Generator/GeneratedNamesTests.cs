using System.CodeDom.Compiler;
using System.Reflection;
using FizyrRpc.Generator;
using FizyrRpc.Tests.Generator.Camera;
using FizyrRpc.Transports;

namespace FizyrRpc.Tests.Generator;

/// <summary>
/// Where the generated types live: nested in the user's partial interface (and re-opened partial types around it), so
/// names of the user's own cannot clash with them; the StreamBody forms of the client and server base; [GeneratedCode].
/// </summary>
public sealed class GeneratedNamesTests
{
    private const string Header = """
        using System.Threading;
        using System.Threading.Tasks;
        using FizyrRpc;

        namespace Names;

        /// <summary>A body.</summary>
        public sealed record Body(int Value);

        """;

    [Test]
    public void AnInterfaceNestedInPartialTypes_GetsItsTypesNestedThere()
    {
        var run = GeneratorHarness.Run(Header + """
            /// <summary>Outer.</summary>
            public static partial class Outer
            {
                /// <summary>Inner.</summary>
                public partial record struct Inner
                {
                    /// <summary>Foo.</summary>
                    [RpcService]
                    public partial interface IFoo
                    {
                        /// <summary>X.</summary>
                        [Service(1)]
                        [ResponseUpdate(1, typeof(Body), Name = "Result")]
                        Task<Body> XAsync(Body body, CancellationToken cancellationToken = default);
                    }
                }
            }

            /// <summary>Uses the generated names as a user would.</summary>
            public static class Use
            {
                /// <summary>The client over a byte stream.</summary>
                public static Outer.Inner.IFoo Make(PeerHandle<StreamBody> peer) => new Outer.Inner.IFoo.Client(peer);

                /// <summary>The union.</summary>
                public static Outer.Inner.IFoo.XResponseUpdate Update() => new Outer.Inner.IFoo.XResponseUpdate.Result(new Body(1));
            }

            /// <summary>A server.</summary>
            public sealed class Server : Outer.Inner.IFoo.ServerBase
            {
                /// <inheritdoc/>
                protected override Task<Body> XAsync(Body body, XContext context) => Task.FromResult(body);
            }
            """);

        Assert.That(run.Diagnostics, Is.Empty);
        Assert.That(run.CompileProblems.Select(diagnostic => diagnostic.ToString()), Is.Empty);
        Assert.That(run.GeneratedFiles.Select(file => file.HintName), Does.Contain("Names.Outer.Inner.IFoo.Client.g.cs"));
        foreach (var (hintName, text) in run.GeneratedFiles)
            Assert.That(text, Does.Contain("partial class Outer").And.Contain("partial record struct Inner").And.Contain("partial interface IFoo"), hintName);
    }

    [Test]
    public void UserTypesNamedLikeGeneratedOnes_DoNotClash()
    {
        // The old top-level names and the new nested ones, all declared by the user beside the interface.
        var run = GeneratorHarness.Run(Header + """
            /// <summary>Mine.</summary>
            public sealed class Client { }

            /// <summary>Mine.</summary>
            public sealed class ServerBase { }

            /// <summary>Mine.</summary>
            public sealed class StreamMessage { }

            /// <summary>Mine.</summary>
            public sealed class FooClient { }

            /// <summary>Mine.</summary>
            public static class FooRpc { }

            /// <summary>Mine.</summary>
            public sealed class FooServerBase { }

            /// <summary>Mine.</summary>
            public sealed class MessagePackResolver { }

            /// <summary>Foo.</summary>
            [RpcService]
            public partial interface IFoo
            {
                /// <summary>X.</summary>
                [Service(1)]
                Task<Body> XAsync(Body body);

                /// <summary>Y.</summary>
                [Stream(2)]
                Task YAsync(Body body);
            }

            /// <summary>A hand-written implementation (a test fake): the generated static members and nested types ask nothing of it.</summary>
            public sealed class Fake : IFoo
            {
                /// <inheritdoc/>
                public Task<Body> XAsync(Body body) => Task.FromResult(body);

                /// <inheritdoc/>
                public Task YAsync(Body body) => Task.CompletedTask;
            }

            /// <summary>Both kinds of names in one place.</summary>
            public static class Use
            {
                /// <summary>Mine and the generated one.</summary>
                public static (Client Mine, IFoo.Client Generated) Make(PeerHandle<StreamBody> peer) => (new Client(), new IFoo.Client(peer));
            }
            """);

        Assert.That(run.Diagnostics, Is.Empty);
        Assert.That(run.CompileProblems.Select(diagnostic => diagnostic.ToString()), Is.Empty);
    }

    [Test]
    public void TheStreamBodyForms_AreTheGenericOnesOverStreamBody()
    {
        Assert.That(typeof(ICamera.Client).BaseType, Is.EqualTo(typeof(ICamera.Client<StreamBody>)));
        Assert.That(typeof(ICamera.Client).IsSealed, Is.True);
        Assert.That(typeof(ICamera).IsAssignableFrom(typeof(ICamera.Client<UnixBody>)), Is.True);
        Assert.That(typeof(ICamera.ServerBase).BaseType, Is.EqualTo(typeof(ICamera.ServerBase<StreamBody>)));
        Assert.That(typeof(ICamera.ServerBase).IsAbstract, Is.True);
        Assert.That(typeof(RpcServerBase<UnixBody>).IsAssignableFrom(typeof(ICamera.ServerBase<UnixBody>)), Is.True);

        // The nested call and context types are reachable through the StreamBody forms.
        Assert.That(typeof(ICamera.Client.RecordCall), Is.EqualTo(typeof(ICamera.Client<StreamBody>.RecordCall)));
        Assert.That(typeof(ICamera.ServerBase.RecordContext), Is.EqualTo(typeof(ICamera.ServerBase<StreamBody>.RecordContext)));
    }

    [Test]
    public void EveryGeneratedType_CarriesGeneratedCode()
    {
        var version = typeof(RpcServiceGenerator).Assembly.GetName().Version!.ToString(3);
        var nested = typeof(ICamera).GetNestedTypes(BindingFlags.Public);
        Assert.That(nested.Select(type => type.Name), Is.EquivalentTo(new[]
        {
            "MessagePackResolver", "RecordRequestUpdate", "RecordResponseUpdate", "StreamMessage", "Incoming`1",
            "Client`1", "Client", "ServerBase`1", "ServerBase",
        }));
        foreach (var type in nested)
        {
            var attribute = type.GetCustomAttribute<GeneratedCodeAttribute>();
            Assert.That(attribute, Is.Not.Null, type.Name);
            Assert.That(attribute!.Tool, Is.EqualTo("FizyrRpc.Generator"), type.Name);
            Assert.That(attribute.Version, Is.EqualTo(version), type.Name);
        }
    }
}
