using FsCheck;
using FsCheck.Xunit;

namespace EhrShare.Sharing.Tests;

public sealed class PropertyTests
{
    [Property(MaxTest = 300)]
    public bool Combine_OfAnyKSharesOfARandomSecret_ReturnsTheSecret(NonEmptyArray<byte> secret, byte nSeed, byte kSeed, int pickSeed, bool prime)
    {
        var (n, k) = Shape(nSeed, kSeed);
        var field = prime ? ShareField.Prime127 : ShareField.Gf256;
        var shares = Shamir.Split(Guid.NewGuid(), secret.Get, n, k, field);
        var picked = shares.OrderBy(_ => 0).ToArray();
        new Random(pickSeed).Shuffle(picked);
        return Shamir.Combine(picked[..k]).AsSpan().SequenceEqual(secret.Get);
    }

    [Property(MaxTest = 200)]
    public bool Repair_OfAnyShare_FromAnyOtherKShares_ReproducesIt(NonEmptyArray<byte> secret, byte nSeed, byte kSeed, int pickSeed, bool prime)
    {
        var (n, k) = Shape(nSeed, kSeed);
        if (n == k)
        {
            n++;
        }

        var shares = Shamir.Split(Guid.NewGuid(), secret.Get, n, k, prime ? ShareField.Prime127 : ShareField.Gf256);
        var order = shares.ToArray();
        new Random(pickSeed).Shuffle(order);
        var lost = order[0];
        var repaired = Shamir.Repair(order[1..(k + 1)], lost.X);
        return repaired.Payload.Span.SequenceEqual(lost.Payload.Span);
    }

    [Property(MaxTest = 200)]
    public bool Refresh_ThenParseOfEveryShare_StillCombinesToTheSecret(NonEmptyArray<byte> secret, byte nSeed, byte kSeed, bool prime)
    {
        var (n, k) = Shape(nSeed, kSeed);
        var shares = Shamir.Refresh(Shamir.Split(Guid.NewGuid(), secret.Get, n, k, prime ? ShareField.Prime127 : ShareField.Gf256));
        var parsed = shares.Select(s => Share.Parse(s.ToBytes())).Reverse().ToArray();
        return Shamir.Combine(parsed).AsSpan().SequenceEqual(secret.Get);
    }

    private static (int N, int K) Shape(byte nSeed, byte kSeed)
    {
        var n = 2 + (nSeed % 14);
        var k = 2 + (kSeed % (n - 1));
        return (n, k);
    }
}
