using BenchmarkDotNet.Running;
using FizyrRpc.Benchmarks.Micro;

// --smoke: every benchmark once, checked, for CI (seconds). Anything else goes to BenchmarkDotNet, e.g. --filter '*'.
if (args.Length == 1 && args[0] == "--smoke")
    return SmokeRunner.Run(typeof(SmokeRunner).Assembly);

BenchmarkSwitcher.FromAssembly(typeof(SmokeRunner).Assembly).Run(args);
return 0;
