using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FizyrRpc.Hosting;
using FizyrRpc.Tests.Hosting;
using FizyrRpc.Tests.Lifetime;
using FizyrRpc.Tests.TestSupport;
using FizyrRpc.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FizyrRpc.Tests.Diagnostics;

/// <summary>A real host serving <see cref="DiagnosticsProbeServer"/> (fake logging from Debug up), and ways to talk to it.</summary>
internal static class DiagnosticsHost
{
    public static async Task<IHost> StartAsync(string endpoint = "tcp:127.0.0.1:0")
    {
        var builder = HostedTest.Builder(("Probe:Endpoints:0", endpoint));
        builder.Services.AddSingleton<DiagnosticsProbeState>();
        builder.Services.AddFizyrRpcServer<DiagnosticsProbeServer>().BindConfiguration("Probe");
        return await HostedTest.StartAsync(builder);
    }

    public static RpcEndpoint ProbeEndpoint(this IHost host) =>
        host.Services.GetRequiredService<RpcServerHost<DiagnosticsProbeServer>>().Endpoints[0];

    public static DiagnosticsProbeState ProbeState(this IHost host) => host.Services.GetRequiredService<DiagnosticsProbeState>();

    /// <summary>A plain client (built from a whole peer handle) over TCP.</summary>
    public static async Task<IDiagnosticsProbe.Client> ConnectProbeAsync(this IHost host) =>
        new(await TcpPeer.ConnectAsync(host.ProbeEndpoint().Address).Within());

    /// <summary>A raw TCP socket to the probe server, for bytes no peer would send.</summary>
    public static async Task<Socket> ConnectRawAsync(this IHost host)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPEndPoint.Parse(host.ProbeEndpoint().Address)).Within();
        return socket;
    }

    /// <summary>A frame as the wire has it (little endian): length prefix, header, body.</summary>
    public static byte[] Frame(uint messageType, uint requestId, int serviceId, int bodyLength = 0)
    {
        var frame = new byte[StreamFraming.PrefixAndHeaderSize + bodyLength];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)(MessageHeader.Size + bodyLength));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), messageType);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), requestId);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(12), serviceId);
        return frame;
    }
}
