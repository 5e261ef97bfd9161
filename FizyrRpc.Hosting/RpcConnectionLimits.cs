namespace FizyrRpc.Hosting;

/// <summary>
/// The limits of each connection, bound from configuration; a limit left unset keeps the transport's or the peer's
/// default (see <see cref="FizyrRpc.Transports.StreamConfig"/>, <see cref="FizyrRpc.Transports.UnixConfig"/> and
/// <see cref="PeerOptions"/>).
/// </summary>
public class RpcConnectionLimits
{
    /// <summary>The largest body accepted from the remote, in bytes.</summary>
    public int? MaxBodyLengthRead { get; set; }

    /// <summary>The largest body sent, in bytes; a larger one is refused before a byte is written.</summary>
    public int? MaxBodyLengthWrite { get; set; }

    /// <summary>Incoming requests and stream messages waiting to be read.</summary>
    public int? IncomingQueueCapacity { get; set; }

    /// <summary>Updates (and the response) waiting on one request.</summary>
    public int? UpdateQueueCapacity { get; set; }

    /// <summary>Messages waiting for the writer.</summary>
    public int? OutgoingQueueCapacity { get; set; }

    /// <summary>Requests from the remote open at once; past it, a request is answered with an error at once.</summary>
    public int? MaxOpenReceivedRequests { get; set; }

    /// <summary>The errors in these limits, one line each, prefixed with <paramref name="section"/>.</summary>
    internal IEnumerable<string> Validate(string section)
    {
        foreach (var (name, value) in new (string, int?)[]
        {
            (nameof(MaxBodyLengthRead), MaxBodyLengthRead),
            (nameof(MaxBodyLengthWrite), MaxBodyLengthWrite),
            (nameof(IncomingQueueCapacity), IncomingQueueCapacity),
            (nameof(UpdateQueueCapacity), UpdateQueueCapacity),
            (nameof(OutgoingQueueCapacity), OutgoingQueueCapacity),
            (nameof(MaxOpenReceivedRequests), MaxOpenReceivedRequests),
        })
        {
            if (value is <= 0)
                yield return $"{section}:{name} must be positive, not {value}.";
        }
    }

    internal PeerOptions ToPeerOptions(Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory)
    {
        var options = new PeerOptions { LoggerFactory = loggerFactory };
        options.IncomingQueueCapacity = IncomingQueueCapacity ?? options.IncomingQueueCapacity;
        options.UpdateQueueCapacity = UpdateQueueCapacity ?? options.UpdateQueueCapacity;
        options.OutgoingQueueCapacity = OutgoingQueueCapacity ?? options.OutgoingQueueCapacity;
        options.MaxOpenReceivedRequests = MaxOpenReceivedRequests ?? options.MaxOpenReceivedRequests;
        return options;
    }
}
