using Microsoft.Extensions.Options;

namespace FizyrRpc.Hosting.Server;

/// <summary>Checks one server's options at start: every endpoint parses and suits the server's body type, and every limit is positive.</summary>
internal sealed class RpcServerOptionsValidator(string name, string serverName, IReadOnlyList<RpcEndpointKind> kinds) : IValidateOptions<RpcServerOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, RpcServerOptions options)
    {
        if (optionsName != name)
            return ValidateOptionsResult.Skip;
        var errors = new List<string>();
        var section = $"the FizyrRpc server {serverName}";
        if (options.Endpoints.Count == 0)
            errors.Add($"{section} has no endpoint: set Endpoints (e.g. [\"tcp:127.0.0.1:5000\"]).");
        for (var i = 0; i < options.Endpoints.Count; i++)
        {
            if (!RpcEndpoint.TryParse(options.Endpoints[i], out var endpoint, out var error))
                errors.Add($"{section}: Endpoints:{i}: {error}.");
            else if (!kinds.Contains(endpoint.Kind))
                errors.Add($"{section}: Endpoints:{i}: '{endpoint}' is {endpoint.Kind}, but this server serves {string.Join(" or ", kinds)} (its body type decides).");
        }

        errors.AddRange(options.Validate(section));
        if (options.MaxConnections is <= 0)
            errors.Add($"{section}:MaxConnections must be positive, not {options.MaxConnections}.");
        if (options.AbortTimeout <= TimeSpan.Zero)
            errors.Add($"{section}:AbortTimeout must be positive, not {options.AbortTimeout}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
