using Xunit.Abstractions;

namespace EhrShare.Sharing.Tests;

/// <summary>
/// Fewer than k shares must carry no information: for any secret, the k − 1 share values (at any fixed x) are
/// uniformly distributed. Each test splits a long run of identical secret bytes: with byte-wise sharing every
/// position is an independent split of a one-byte secret (for the prime field, of one 15-byte chunk), so one call
/// yields thousands of samples. A chi-squared goodness-of-fit test against the uniform distribution must pass for
/// two different secrets, and must fail for a deliberately broken split, which proves the test has teeth.
/// </summary>
public sealed class SecrecyTests(ITestOutputHelper output)
{
    /// <summary>
    /// The threshold is the chi-squared quantile at z = 8 standard normal deviations (upper tail p ≈ 6·10^-16)
    /// by the Wilson–Hilferty approximation: a correct implementation fails about once in 10^15 runs.
    /// </summary>
    private const double Z = 8.0;

    [Theory]
    [InlineData(ShareField.Gf256, 2)]
    [InlineData(ShareField.Gf256, 3)]
    [InlineData(ShareField.Prime127, 2)]
    [InlineData(ShareField.Prime127, 3)]
    public void KMinusOneShares_AreUniform_WhateverTheSecret(ShareField field, int k)
    {
        foreach (var secretByte in new byte[] { 0x00, 0xFF })
        {
            var (statistic, threshold) = ChiSquared(field, k, secretByte, SystemCoefficientSource.Instance);
            output.WriteLine($"{field} k={k} secret {secretByte:X2}: chi² = {statistic:F0}, threshold {threshold:F0}");
            Assert.True(statistic < threshold, $"chi² = {statistic:F0} ≥ {threshold:F0} for secret {secretByte:X2}");
        }
    }

    [Theory]
    [InlineData(ShareField.Gf256, 2)]
    [InlineData(ShareField.Gf256, 3)]
    [InlineData(ShareField.Prime127, 2)]
    [InlineData(ShareField.Prime127, 3)]
    public void TheUniformityTest_CatchesASplitWhoseCoefficientsAreNeverZero(ShareField field, int k)
    {
        var (statistic, threshold) = ChiSquared(field, k, 0x00, new NeverZeroCoefficientSource());
        output.WriteLine($"{field} k={k} broken split: chi² = {statistic:F0}, threshold {threshold:F0}");
        Assert.True(statistic > threshold, $"chi² = {statistic:F0} ≤ {threshold:F0}: the test missed a biased split");
    }

    /// <summary>
    /// Tallies the k − 1 share values at x = 1..k−1 (one byte each: the share byte, or the low byte of the prime
    /// field element) into 256^(k−1) cells, 1000 (k = 2) or 100 (k = 3) expected per cell.
    /// </summary>
    private static (double Statistic, double Threshold) ChiSquared(ShareField field, int k, byte secretByte, CoefficientSource source)
    {
        var cells = 1 << (8 * (k - 1));
        var samplesWanted = k == 2 ? cells * 1000 : cells * 100;
        var counts = new long[cells];
        const int SecretLength = 15 * 1024;
        var secret = Enumerable.Repeat(secretByte, SecretLength).ToArray();
        var observed = k - 1;
        var xs = Enumerable.Range(1, observed).Select(x => (byte)x).ToArray();
        var payloadLength = Shamir.GetPayloadLength(field, SecretLength);
        var payloads = new byte[payloadLength * observed];
        var step = field == ShareField.Gf256 ? 1 : 16;
        var last = step - 1;

        long samples = 0;
        while (samples < samplesWanted)
        {
            Shamir.SplitCore(field, secret, xs, k, new PayloadTargets(payloads, payloadLength), source, Gf256Kernels.Best);
            for (var position = last; position < payloadLength && samples < samplesWanted; position += step)
            {
                var cell = 0;
                for (var share = 0; share < observed; share++)
                {
                    cell = (cell << 8) | payloads[(share * payloadLength) + position];
                }

                counts[cell]++;
                samples++;
            }
        }

        var expected = (double)samples / cells;
        var statistic = counts.Sum(c => (c - expected) * (c - expected) / expected);
        double degrees = cells - 1;
        var h = 2.0 / (9.0 * degrees);
        var threshold = degrees * Math.Pow(1 - h + (Z * Math.Sqrt(h)), 3);
        return (statistic, threshold);
    }
}
