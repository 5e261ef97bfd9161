using System.Net;

namespace FizyrRpc.Transports;

/// <summary>The endpoints of a TCP connection.</summary>
/// <param name="LocalEndPoint">Our end.</param>
/// <param name="RemoteEndPoint">The remote's end.</param>
public sealed record TcpConnectionInfo(IPEndPoint LocalEndPoint, IPEndPoint RemoteEndPoint) : ConnectionInfo;
