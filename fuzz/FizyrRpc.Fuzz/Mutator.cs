namespace FizyrRpc.Fuzz;

/// <summary>
/// A small deterministic mutator for the in-process smoke mode (CI): the same seed gives the same inputs on every
/// machine. It is no substitute for the coverage-guided run; it keeps the harness and the corpus exercised.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly uint[] Interesting = [0, 1, 11, 12, 13, 16, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
    private readonly Random _random = new(seed);

    public byte[] Mutate(IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(corpus[_random.Next(corpus.Count)]);
        var rounds = 1 + _random.Next(6);
        for (var i = 0; i < rounds; i++)
        {
            var at = data.Count == 0 ? 0 : _random.Next(data.Count);
            switch (_random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = (byte)_random.Next(256);
                    break;
                case 2:
                    data.InsertRange(at, Enumerable.Range(0, 1 + _random.Next(8)).Select(_ => (byte)_random.Next(256)));
                    break;
                case 3 when data.Count > 1:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(8)));
                    break;
                case 4 when data.Count >= 4:
                    var value = Interesting[_random.Next(Interesting.Length)];
                    at = Math.Min(at, data.Count - 4);
                    for (var b = 0; b < 4; b++)
                        data[at + b] = (byte)(_random.Next(2) == 0 ? value >> (8 * b) : value >> (8 * (3 - b)));
                    break;
                case 5:
                    var other = corpus[_random.Next(corpus.Count)];
                    var from = other.Length == 0 ? 0 : _random.Next(other.Length);
                    data.InsertRange(at, other.Skip(from).Take(1 + _random.Next(32)));
                    break;
                default:
                    if (data.Count > 0)
                        data.RemoveRange(at, data.Count - at);
                    break;
            }
        }

        return [.. data];
    }
}
