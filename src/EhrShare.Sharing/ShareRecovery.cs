namespace EhrShare.Sharing;

/// <summary>The outcome of <see cref="Shamir.TryRecover"/>: the verified secret and which shares were wrong.</summary>
public sealed class ShareRecovery
{
    internal ShareRecovery(byte[] secret, IReadOnlyList<Share> usedShares, IReadOnlyList<Share> badShares)
    {
        Secret = secret;
        UsedShares = usedShares;
        BadShares = badShares;
    }

    /// <summary>The rebuilt secret, accepted by the caller's check. Clear it when done.</summary>
    public byte[] Secret { get; }

    /// <summary>The k shares it was rebuilt from.</summary>
    public IReadOnlyList<Share> UsedShares { get; }

    /// <summary>
    /// The given shares that do not lie on the verified polynomial (corrupted, tampered or stale): their nodes
    /// should be reported and their shares repaired with <see cref="Shamir.Repair(IReadOnlyList{Share}, byte)"/>.
    /// </summary>
    public IReadOnlyList<Share> BadShares { get; }
}
