using Microsoft.Extensions.Options;

namespace FizyrRpc.Hosting.Client;

/// <summary>Checks one client's options at start: the endpoint parses and suits the client's body type, and every time and limit is in range.</summary>
internal sealed class RpcClientOptionsValidator(string name, string clientName, IReadOnlyList<RpcEndpointKind> kinds) : IValidateOptions<RpcClientOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, RpcClientOptions options)
    {
        if (optionsName != name)
            return ValidateOptionsResult.Skip;
        var errors = new List<string>();
        var section = $"the FizyrRpc client {clientName}";
        if (options.Endpoint is null)
            errors.Add($"{section} has no endpoint: set Endpoint (e.g. \"tcp:127.0.0.1:5000\").");
        else if (!RpcEndpoint.TryParse(options.Endpoint, out var endpoint, out var error))
            errors.Add($"{section}: Endpoint: {error}.");
        else if (!kinds.Contains(endpoint.Kind))
            errors.Add($"{section}: Endpoint: '{endpoint}' is {endpoint.Kind}, but this client speaks {string.Join(" or ", kinds)} (its body type decides).");

        errors.AddRange(options.Validate(section));
        if (options.ConnectTimeout <= TimeSpan.Zero)
            errors.Add($"{section}:ConnectTimeout must be positive, not {options.ConnectTimeout}.");
        if (options.ReconnectDelay <= TimeSpan.Zero)
            errors.Add($"{section}:ReconnectDelay must be positive, not {options.ReconnectDelay}.");
        if (options.MaxReconnectDelay < options.ReconnectDelay)
            errors.Add($"{section}:MaxReconnectDelay ({options.MaxReconnectDelay}) must not be below ReconnectDelay ({options.ReconnectDelay}).");
        if (options.WaitForConnection < TimeSpan.Zero)
            errors.Add($"{section}:WaitForConnection must not be negative, not {options.WaitForConnection}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
