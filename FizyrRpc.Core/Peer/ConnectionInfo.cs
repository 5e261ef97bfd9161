namespace FizyrRpc;

/// <summary>What a transport knows about the connection it carries: subclasses per transport.</summary>
public abstract record ConnectionInfo;
