using EhrShare.Infrastructure.Ethereum.Crypto;

namespace EhrShare.Infrastructure.Ethereum.Contracts;

/// <summary>
/// A chosen set of a patient's records as <c>grantRecords</c> names it: a Merkle tree over the records' ids, whose root
/// goes on the chain and whose proofs go with each logged read. Leaf = keccak256(keccak256(recordId as bytes16)) (hashed
/// twice, so no inner node passes for a leaf); an inner node is keccak256 of its two children in ascending order (so a
/// proof is a plain list of siblings); on a level of odd length the last node moves up unpaired. Leaves are sorted, so
/// the same set gives the same root whatever order its ids come in.
/// </summary>
public sealed class RecordSet
{
    private readonly List<byte[][]> _levels;
    private readonly Dictionary<Guid, int> _index;

    public RecordSet(IEnumerable<Guid> recordIds)
    {
        ArgumentNullException.ThrowIfNull(recordIds);
        var ids = recordIds.Distinct().ToArray();
        if (ids.Length == 0)
        {
            throw new ArgumentException("A set of records holds at least one record (all records is a grant without a set).", nameof(recordIds));
        }

        var leaves = ids.Select(id => (Id: id, Leaf: Leaf(id))).OrderBy(l => l.Leaf, ByteOrder.Instance).ToArray();
        _index = leaves.Select((l, i) => (l.Id, i)).ToDictionary(x => x.Id, x => x.i);
        _levels = [leaves.Select(l => l.Leaf).ToArray()];
        while (_levels[^1].Length > 1)
        {
            var below = _levels[^1];
            var level = new byte[(below.Length + 1) / 2][];
            for (var i = 0; i < level.Length; i++)
            {
                level[i] = 2 * i + 1 < below.Length ? Parent(below[2 * i], below[2 * i + 1]) : below[2 * i];
            }

            _levels.Add(level);
        }

        Root = _levels[^1][0];
    }

    /// <summary>The root, 32 bytes (the chain keeps its top 224 bits).</summary>
    public byte[] Root { get; }

    public int Count => _index.Count;

    public IReadOnlyCollection<Guid> RecordIds => _index.Keys;

    public bool Contains(Guid recordId) => _index.ContainsKey(recordId);

    /// <summary>The siblings from the record's leaf up to the root; empty for a set of one record.</summary>
    /// <exception cref="ArgumentException">The record is not in the set (no proof exists).</exception>
    public IReadOnlyList<byte[]> ProofFor(Guid recordId)
    {
        if (!_index.TryGetValue(recordId, out var i))
        {
            throw new ArgumentException("The record is not in the set.", nameof(recordId));
        }

        var proof = new List<byte[]>();
        foreach (var level in _levels.Take(_levels.Count - 1))
        {
            var sibling = i ^ 1;
            if (sibling < level.Length)
            {
                proof.Add(level[sibling]);
            }

            i /= 2;
        }

        return proof;
    }

    /// <summary>Whether <paramref name="proof"/> places the record under a root as the contract checks it (top 224 bits).</summary>
    public static bool Verify(byte[] root, Guid recordId, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(proof);
        var node = Leaf(recordId);
        foreach (var sibling in proof)
        {
            node = Parent(node, sibling);
        }

        return root.Length == 32 && node.AsSpan(0, 28).SequenceEqual(root.AsSpan(0, 28));
    }

    /// <summary>keccak256(keccak256(recordId)), as the contract's recordLeaf.</summary>
    public static byte[] Leaf(Guid recordId) => Keccak256.Hash(Keccak256.Hash(Contracts.RecordIds.ToBytes16(recordId)));

    private static byte[] Parent(byte[] a, byte[] b)
    {
        var pair = new byte[64];
        var (low, high) = ByteOrder.Instance.Compare(a, b) < 0 ? (a, b) : (b, a);
        low.CopyTo(pair, 0);
        high.CopyTo(pair, 32);
        return Keccak256.Hash(pair);
    }

    /// <summary>Byte strings compared as big-endian unsigned numbers (the contract compares bytes32 so).</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
