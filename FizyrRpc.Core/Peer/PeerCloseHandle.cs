namespace FizyrRpc;

/// <summary>What every connection offers whatever its body type: used by <see cref="PeerCloseHandle"/>.</summary>
internal interface IConnectionControl
{
    Task Completion { get; }

    ConnectionClosedException? CloseError { get; }

    Task CloseAsync();
}

/// <summary>Closes a connection from anywhere without keeping it alive.</summary>
public sealed class PeerCloseHandle
{
    private readonly IConnectionControl _connection;

    internal PeerCloseHandle(IConnectionControl connection) => _connection = connection;

    /// <summary>Completes when the connection has ended.</summary>
    public Task Completion => _connection.Completion;

    /// <summary>Why the connection ended, or null while it is open.</summary>
    public ConnectionClosedException? CloseError => _connection.CloseError;

    /// <summary>Closes the connection for every handle (what is queued is still written); completes when it has ended.</summary>
    public Task CloseAsync() => _connection.CloseAsync();
}
