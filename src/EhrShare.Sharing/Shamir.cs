using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace EhrShare.Sharing;

/// <summary>
/// Shamir's threshold secret sharing of a record's block: any k of the n shares rebuild it, k − 1 reveal nothing.
/// Share i (0-based) gets x = i + 1. Coefficients come from the system CSPRNG; all work on secret and random
/// bytes is constant-time. Thread-safe.
/// </summary>
/// <remarks>
/// Errors: wrong arguments of the caller's making throw <see cref="ArgumentException"/> (or a subclass); shares
/// that cannot be used together throw <see cref="ShareReconstructionException"/>; bytes that are no valid share
/// throw <see cref="ShareFormatException"/> from <see cref="Share.Parse"/>. Consistent but wrong shares (tampered,
/// or mixed from before and after a <see cref="Refresh(IReadOnlyList{Share})"/>) combine to a different secret without an error: check
/// the result against its hash.
/// </remarks>
public static class Shamir
{
    /// <summary>At most 255 shares: x is one non-zero byte.</summary>
    public const int MaxShares = 255;

    /// <summary>The smallest threshold, 2 (k = 1 would store the secret in the clear).</summary>
    public const int MinThreshold = 2;

    /// <summary>The largest secret, 1 GiB, so that every serialised share fits one array.</summary>
    public const int MaxSecretLength = 1 << 30;

    /// <summary>The payload length of each share of a secret of the given length.</summary>
    public static int GetPayloadLength(ShareField field, int secretLength)
    {
        ValidateSecretLength(secretLength, nameof(secretLength));
        return ShareFormat.PayloadLength(field, secretLength);
    }

    /// <summary>Splits <paramref name="secret"/> into <paramref name="n"/> shares with threshold <paramref name="k"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 2, k &gt; n, n &gt; 255, an empty or too long secret, or an unknown field.</exception>
    public static Share[] Split(Guid recordId, ReadOnlySpan<byte> secret, int n, int k, ShareField field = ShareField.Gf256) =>
        Split(recordId, secret, n, k, field, SystemCoefficientSource.Instance, Gf256Kernels.Best);

    /// <summary>
    /// Allocation-free split: writes the n payloads back to back into <paramref name="payloads"/>, each
    /// <see cref="GetPayloadLength"/> bytes; payload i belongs to x = i + 1. Wrap them with the
    /// <see cref="Share"/> constructor to serialise them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">As for the other overload.</exception>
    /// <exception cref="ArgumentException"><paramref name="payloads"/> is too short or overlaps the secret.</exception>
    public static void Split(ReadOnlySpan<byte> secret, int n, int k, Span<byte> payloads, ShareField field = ShareField.Gf256)
    {
        ValidateParameters(secret.Length, n, k, field);
        var payloadLength = ShareFormat.PayloadLength(field, secret.Length);
        if ((long)payloadLength * n > payloads.Length)
        {
            throw new ArgumentException($"The payload buffer needs {(long)payloadLength * n} bytes.", nameof(payloads));
        }

        if (secret.Overlaps(payloads))
        {
            throw new ArgumentException("The payload buffer must not overlap the secret.", nameof(payloads));
        }

        Span<byte> xs = stackalloc byte[n];
        FillXs(xs);
        SplitCore(field, secret, xs, k, new PayloadTargets(payloads, payloadLength), SystemCoefficientSource.Instance, Gf256Kernels.Best);
    }

    /// <summary>Rebuilds the secret from at least k shares of one block; uses the first k.</summary>
    /// <returns>The secret. It is sensitive: clear it (CryptographicOperations.ZeroMemory) when done.</returns>
    /// <exception cref="ShareReconstructionException">Fewer than k shares, or shares of different records or parameters, or a repeated x.</exception>
    public static byte[] Combine(IReadOnlyList<Share> shares)
    {
        var first = ValidateSet(shares);
        var secret = new byte[first.SecretLength];
        CombineCore(shares, first, secret, Gf256Kernels.Best);
        return secret;
    }

    /// <summary>Allocation-free <see cref="Combine(IReadOnlyList{Share})"/>: writes the secret into <paramref name="destination"/>.</summary>
    /// <returns>The secret's length, the bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the secret or overlaps a payload.</exception>
    public static int Combine(IReadOnlyList<Share> shares, Span<byte> destination) =>
        Combine(shares, destination, Gf256Kernels.Best);

    /// <summary>
    /// Rebuilds the secret when some of the shares may be wrong: combines k-subsets of <paramref name="shares"/>
    /// in order (the first k first) until <paramref name="isCorrect"/> accepts the result (typically: its SHA-256
    /// equals the block hash on the chain), then checks every other share against the verified polynomial. At
    /// most C(m, k) combinations for m shares; with k = n a single wrong share makes recovery fail.
    /// </summary>
    /// <returns>False when no k-subset gives an accepted secret.</returns>
    /// <exception cref="ShareReconstructionException">As for <see cref="Combine(IReadOnlyList{Share})"/>.</exception>
    public static bool TryRecover(
        IReadOnlyList<Share> shares,
        Func<ReadOnlySpan<byte>, bool> isCorrect,
        [NotNullWhen(true)] out ShareRecovery? recovery)
    {
        ArgumentNullException.ThrowIfNull(isCorrect);
        var first = ValidateSet(shares);
        var k = first.K;
        var m = shares.Count;
        var picked = new int[k];
        for (var i = 0; i < k; i++)
        {
            picked[i] = i;
        }

        var subset = new Share[k];
        var secret = new byte[first.SecretLength];
        while (true)
        {
            for (var i = 0; i < k; i++)
            {
                subset[i] = shares[picked[i]];
            }

            CombineCore(subset, first, secret, Gf256Kernels.Best);
            if (isCorrect(secret))
            {
                var bad = new List<Share>();
                for (var j = 0; j < m; j++)
                {
                    if (Array.IndexOf(picked, j) < 0 && !Repair(subset, shares[j].X).Payload.Span.SequenceEqual(shares[j].Payload.Span))
                    {
                        bad.Add(shares[j]);
                    }
                }

                recovery = new ShareRecovery(secret, subset, bad);
                return true;
            }

            // Next combination in lexicographic order: bump the rightmost index that can still move.
            var position = k - 1;
            while (position >= 0 && picked[position] == m - k + position)
            {
                position--;
            }

            if (position < 0)
            {
                CryptographicOperations.ZeroMemory(secret);
                recovery = null;
                return false;
            }

            picked[position]++;
            for (var i = position + 1; i < k; i++)
            {
                picked[i] = picked[i - 1] + 1;
            }
        }
    }

    /// <summary>
    /// Recomputes the share at <paramref name="x"/> (for a lost or corrupted node) from at least k good shares of
    /// the block, using the first k; the other shares stay valid as they are.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="x"/> is 0.</exception>
    /// <exception cref="ShareReconstructionException">As for <see cref="Combine(IReadOnlyList{Share})"/>.</exception>
    public static Share Repair(IReadOnlyList<Share> good, byte x) => Repair(good, x, Gf256Kernels.Best);

    /// <summary>
    /// Re-randomises the shares of a block: adds to each one the value at its x of a fresh random polynomial with
    /// zero constant term. The new shares rebuild the same secret; mixed with old ones they do not. Give all of
    /// the block's good shares (at least k, checked first by the caller against the block hash): any share not
    /// refreshed becomes useless and must be repaired.
    /// </summary>
    /// <returns>New shares with the same x values, in the same order.</returns>
    /// <exception cref="ShareReconstructionException">As for <see cref="Combine(IReadOnlyList{Share})"/>.</exception>
    public static Share[] Refresh(IReadOnlyList<Share> shares) =>
        Refresh(shares, SystemCoefficientSource.Instance, Gf256Kernels.Best);

    internal static Share[] Split(
        Guid recordId,
        ReadOnlySpan<byte> secret,
        int n,
        int k,
        ShareField field,
        CoefficientSource random,
        Gf256Path path)
    {
        ValidateParameters(secret.Length, n, k, field);
        var payloadLength = ShareFormat.PayloadLength(field, secret.Length);
        var arrays = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            arrays[i] = GC.AllocateUninitializedArray<byte>(payloadLength);
        }

        Span<byte> xs = stackalloc byte[n];
        FillXs(xs);
        SplitCore(field, secret, xs, k, new PayloadTargets(arrays), random, path);
        var shares = new Share[n];
        for (var i = 0; i < n; i++)
        {
            shares[i] = new Share(recordId, xs[i], k, n, field, secret.Length, arrays[i], validated: true);
        }

        return shares;
    }

    internal static int Combine(IReadOnlyList<Share> shares, Span<byte> destination, Gf256Path path)
    {
        var first = ValidateSet(shares);
        if (destination.Length < first.SecretLength)
        {
            throw new ArgumentException($"The destination needs {first.SecretLength} bytes.", nameof(destination));
        }

        for (var i = 0; i < first.K; i++)
        {
            if (destination.Overlaps(shares[i].Payload.Span))
            {
                throw new ArgumentException("The destination must not overlap a share's payload.", nameof(destination));
            }
        }

        CombineCore(shares, first, destination[..first.SecretLength], path);
        return first.SecretLength;
    }

    internal static Share Repair(IReadOnlyList<Share> good, byte x, Gf256Path path)
    {
        ArgumentOutOfRangeException.ThrowIfZero(x);
        var first = ValidateSet(good);
        var payload = GC.AllocateUninitializedArray<byte>(first.Payload.Length);
        if (first.Field == ShareField.Gf256)
        {
            Gf256Sharing.Interpolate(good, first.K, x, payload, path);
        }
        else
        {
            Prime127Sharing.Interpolate(good, first.K, x, payload, asSecret: false);
        }

        return new Share(first.RecordId, x, first.K, first.N, first.Field, first.SecretLength, payload, validated: true);
    }

    internal static Share[] Refresh(IReadOnlyList<Share> shares, CoefficientSource random, Gf256Path path)
    {
        var first = ValidateSet(shares);
        var count = shares.Count;
        Span<byte> xs = stackalloc byte[count];
        var arrays = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            xs[i] = shares[i].X;
            arrays[i] = GC.AllocateUninitializedArray<byte>(first.Payload.Length);
        }

        // The update polynomial has a zero constant term: split a zero secret at the same x values, then add.
        SplitCore(first.Field, new byte[first.SecretLength], xs, first.K, new PayloadTargets(arrays), random, path);
        var refreshed = new Share[count];
        for (var i = 0; i < count; i++)
        {
            var old = shares[i];
            if (first.Field == ShareField.Gf256)
            {
                Gf256Sharing.Add(old.Payload.Span, arrays[i]);
            }
            else
            {
                Prime127Sharing.Add(old.Payload.Span, arrays[i]);
            }

            refreshed[i] = new Share(old.RecordId, old.X, old.K, old.N, old.Field, old.SecretLength, arrays[i], validated: true);
        }

        return refreshed;
    }

    internal static void SplitCore(
        ShareField field,
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> xs,
        int k,
        PayloadTargets payloads,
        CoefficientSource random,
        Gf256Path path)
    {
        if (field == ShareField.Gf256)
        {
            Gf256Sharing.Split(secret, xs, k, payloads, random, path);
        }
        else
        {
            Prime127Sharing.Split(secret, xs, k, payloads, random);
        }
    }

    internal static void ValidateParameters(int secretLength, int n, int k, ShareField field)
    {
        ValidateSecretLength(secretLength, "secret");
        ArgumentOutOfRangeException.ThrowIfLessThan(k, MinThreshold);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, MaxShares);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);
        if (field is not (ShareField.Gf256 or ShareField.Prime127))
        {
            throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown share field.");
        }
    }

    internal static void ValidateSecretLength(int secretLength, string parameterName)
    {
        if (secretLength is < 1 or > MaxSecretLength)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                secretLength,
                $"The secret must be 1 to {MaxSecretLength} bytes long.");
        }
    }

    private static void CombineCore(IReadOnlyList<Share> shares, Share first, Span<byte> destination, Gf256Path path)
    {
        if (first.Field == ShareField.Gf256)
        {
            Gf256Sharing.Interpolate(shares, first.K, 0, destination, path);
        }
        else
        {
            Prime127Sharing.Interpolate(shares, first.K, 0, destination, asSecret: true);
        }
    }

    private static void FillXs(Span<byte> xs)
    {
        for (var i = 0; i < xs.Length; i++)
        {
            xs[i] = (byte)(i + 1);
        }
    }

    /// <summary>Checks that the shares belong together and number at least k; returns the first.</summary>
    private static Share ValidateSet(IReadOnlyList<Share> shares)
    {
        ArgumentNullException.ThrowIfNull(shares);
        if (shares.Count == 0)
        {
            throw new ShareReconstructionException(ShareSetError.TooFewShares, "No shares were given.");
        }

        var first = shares[0] ?? throw new ArgumentException("The share list contains null.", nameof(shares));
        Span<ulong> seen = stackalloc ulong[4];
        seen.Clear();
        for (var i = 0; i < shares.Count; i++)
        {
            var share = shares[i] ?? throw new ArgumentException("The share list contains null.", nameof(shares));
            if (share.RecordId != first.RecordId)
            {
                throw new ShareReconstructionException(
                    ShareSetError.DifferentRecords,
                    $"Share {i} belongs to record {share.RecordId}, share 0 to record {first.RecordId}.");
            }

            if (share.K != first.K || share.N != first.N || share.Field != first.Field || share.SecretLength != first.SecretLength)
            {
                throw new ShareReconstructionException(
                    ShareSetError.DifferentParameters,
                    $"Share {i} (k={share.K}, n={share.N}, {share.Field}, {share.SecretLength} bytes) does not match share 0 "
                    + $"(k={first.K}, n={first.N}, {first.Field}, {first.SecretLength} bytes).");
            }

            var bit = 1UL << (share.X & 63);
            if ((seen[share.X >> 6] & bit) != 0)
            {
                throw new ShareReconstructionException(ShareSetError.DuplicateX, $"Two shares have x = {share.X}.");
            }

            seen[share.X >> 6] |= bit;
        }

        if (shares.Count < first.K)
        {
            throw new ShareReconstructionException(
                ShareSetError.TooFewShares,
                $"{shares.Count} shares were given; this block needs {first.K}.");
        }

        return first;
    }
}
