namespace FizyrRpc;

/// <summary>
/// Marks a partial interface as a Fizyr RPC service: the FizyrRpc generator gives it a client, a server base class with
/// a dispatcher, typed update unions and an introspection description.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class RpcServiceAttribute : Attribute
{
    /// <summary>The name introspection shows; the interface name without its leading "I" by default.</summary>
    public string? Name { get; set; }
}

/// <summary>Declares an interface method as the service with ID <paramref name="id"/> (service IDs are one space).</summary>
/// <param name="id">The service ID of the request.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ServiceAttribute(int id) : Attribute
{
    /// <summary>The service ID of the request.</summary>
    public int Id { get; } = id;
}

/// <summary>
/// Declares an update the requester may send while the service's request is open. Request-update IDs are one space
/// per service, separate from its response-update IDs.
/// </summary>
/// <param name="id">The service ID of the update message.</param>
/// <param name="bodyType">The type of the update's body.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class RequestUpdateAttribute(int id, Type bodyType) : Attribute
{
    /// <summary>The service ID of the update message.</summary>
    public int Id { get; } = id;

    /// <summary>The type of the update's body.</summary>
    public Type BodyType { get; } = bodyType;

    /// <summary>The name of the update in generated code (e.g. "Cancel" gives SendCancelAsync); the body type's name by default.</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Declares an update the responder may send while the service's request is open. Response-update IDs are one space
/// per service, separate from its request-update IDs.
/// </summary>
/// <param name="id">The service ID of the update message.</param>
/// <param name="bodyType">The type of the update's body.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class ResponseUpdateAttribute(int id, Type bodyType) : Attribute
{
    /// <summary>The service ID of the update message.</summary>
    public int Id { get; } = id;

    /// <summary>The type of the update's body.</summary>
    public Type BodyType { get; } = bodyType;

    /// <summary>The name of the update in generated code (e.g. "State" gives SendStateAsync); the body type's name by default.</summary>
    public string? Name { get; set; }
}

/// <summary>Declares an interface method as the stream message with ID <paramref name="id"/> (stream IDs are one space, separate from service IDs).</summary>
/// <param name="id">The service ID of the stream message.</param>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class StreamAttribute(int id) : Attribute
{
    /// <summary>The service ID of the stream message.</summary>
    public int Id { get; } = id;
}

/// <summary>Hides a service or a stream message from introspection listings (it still works).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Interface, Inherited = false)]
public sealed class HiddenAttribute : Attribute
{
}
