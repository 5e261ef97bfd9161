using System.Buffers;

namespace FizyrRpc.Benchmarks.Micro;

/// <summary>What one TryReadFrame call gave: whether a frame was found, its header and body, and what is left.</summary>
public readonly record struct ReadFrame(bool Found, MessageHeader Header, ReadOnlySequence<byte> Body, long Remaining);
