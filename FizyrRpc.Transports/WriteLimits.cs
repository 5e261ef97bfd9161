namespace FizyrRpc.Transports;

/// <summary>
/// The write limits a transport checks before a message is queued, shared by every transport: the body length, and,
/// for a transport that carries file descriptors, their count. A message over a limit is refused before any byte of it
/// is written.
/// </summary>
internal readonly struct WriteLimits
{
    private readonly long _maxBody;
    private readonly string _bodyLimitName;
    private readonly int _maxDescriptors;

    /// <param name="maxBody">The largest body that may be sent.</param>
    /// <param name="maxDescriptors">The most descriptors one message may carry.</param>
    /// <param name="bodyLimitName">What the body limit is, for the error text when it is not the configured one.</param>
    public WriteLimits(long maxBody, int maxDescriptors = 0, string bodyLimitName = "body")
    {
        _maxBody = maxBody;
        _maxDescriptors = maxDescriptors;
        _bodyLimitName = bodyLimitName;
    }

    /// <summary>Checks a message's body length and descriptor count.</summary>
    /// <exception cref="MessageTooLargeException">A limit is exceeded.</exception>
    public void Check(int bodyLength, int descriptorCount = 0)
    {
        if (bodyLength > _maxBody)
            throw new MessageTooLargeException(bodyLength, _maxBody, _bodyLimitName);
        if (descriptorCount > _maxDescriptors)
            throw new MessageTooLargeException(descriptorCount, _maxDescriptors, "file descriptor count");
    }
}
