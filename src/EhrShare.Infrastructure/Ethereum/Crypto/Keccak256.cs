using Org.BouncyCastle.Crypto.Digests;

namespace EhrShare.Infrastructure.Ethereum.Crypto;

/// <summary>
/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01), not the FIPS 202 SHA3-256 padding (0x06), so
/// <c>KeccakDigest(256)</c> and never <c>Sha3Digest</c>.
/// </summary>
public static class Keccak256
{
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var output = new byte[32];
        Hash(data, output);
        return output;
    }

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> output)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        digest.DoFinal(output);
    }

    public static byte[] Hash(string utf8) => Hash(System.Text.Encoding.UTF8.GetBytes(utf8));
}
