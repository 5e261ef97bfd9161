using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>
/// The CI mode: calls every benchmark method once, directly (no BenchmarkDotNet job, no measurement), for every
/// combination of its class's [Params], and checks what it computed. Timing never fails it; a wrong result, an
/// exception or a benchmark class without a check does.
/// </summary>
internal static class SmokeRunner
{
    public static int Run(Assembly assembly)
    {
        var passed = 0;
        var failed = 0;
        var classes = assembly.GetTypes()
            .Where(type => type.GetMethods().Any(IsBenchmark))
            .OrderBy(type => type.Name, StringComparer.Ordinal);
        foreach (var type in classes)
        {
            foreach (var parameters in ParameterCombinations(type))
            {
                var label = parameters.Count == 0
                    ? type.Name
                    : $"{type.Name}({string.Join(", ", parameters.Select(p => $"{p.Member.Name}={p.Value}"))})";
                foreach (var method in type.GetMethods().Where(IsBenchmark).OrderBy(m => m.MetadataToken))
                {
                    var error = RunOne(type, parameters, method);
                    if (error is null)
                    {
                        passed++;
                        Console.WriteLine($"PASS {label}.{method.Name}");
                    }
                    else
                    {
                        failed++;
                        Console.WriteLine($"FAIL {label}.{method.Name}: {error}");
                    }
                }
            }
        }

        if (passed + failed == 0)
        {
            failed++;
            Console.WriteLine("FAIL no benchmark method found");
        }

        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static bool IsBenchmark(MethodInfo method) => method.GetCustomAttribute<BenchmarkAttribute>() is not null;

    /// <summary>Runs one benchmark method on a fresh instance, as BenchmarkDotNet would: params, setup, call, cleanup.</summary>
    private static string? RunOne(Type type, IReadOnlyList<(PropertyInfo Member, object? Value)> parameters, MethodInfo method)
    {
        try
        {
            var instance = Activator.CreateInstance(type)!;
            if (instance is not ISmokeCheck check)
                return $"{type.Name} does not implement {nameof(ISmokeCheck)}";
            foreach (var (member, value) in parameters)
                member.SetValue(instance, value);
            Invoke<GlobalSetupAttribute>(type, instance);
            var result = method.Invoke(instance, null);
            var error = check.Check(method.Name, result);
            Invoke<GlobalCleanupAttribute>(type, instance);
            return error;
        }
        catch (TargetInvocationException error) when (error.InnerException is not null)
        {
            return $"threw {error.InnerException}";
        }
        catch (Exception error)
        {
            return $"threw {error}";
        }
    }

    private static void Invoke<TAttribute>(Type type, object instance)
        where TAttribute : Attribute
    {
        foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
            method.Invoke(instance, null);
    }

    /// <summary>Every combination of the values of the class's [Params] properties (one empty one when it has none).</summary>
    private static List<List<(PropertyInfo Member, object? Value)>> ParameterCombinations(Type type)
    {
        var combinations = new List<List<(PropertyInfo, object?)>> { new() };
        foreach (var property in type.GetProperties())
        {
            if (property.GetCustomAttribute<ParamsAttribute>() is not { } values)
                continue;
            combinations = combinations
                .SelectMany(combination => values.Values.Select(value => new List<(PropertyInfo, object?)>(combination) { (property, value) }))
                .ToList();
        }

        return combinations;
    }
}
