namespace FizyrRpc.Transports;

/// <summary>What is known about a Unix socket connection.</summary>
/// <param name="Path">The socket path the connection was made to or accepted on.</param>
/// <param name="Credentials">The remote process's credentials (SO_PEERCRED), where the platform reports them.</param>
public sealed record UnixConnectionInfo(string Path, UnixCredentials? Credentials) : ConnectionInfo;
