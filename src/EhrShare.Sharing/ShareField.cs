namespace EhrShare.Sharing;

/// <summary>The finite field a block is shared over. The value is the field byte of the share format.</summary>
public enum ShareField : byte
{
    /// <summary>GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11B), byte by byte. The default.</summary>
    Gf256 = 1,

    /// <summary>
    /// The prime field of p = 2^127 − 1: the secret is cut into 15-byte elements, each share element takes 16 bytes.
    /// </summary>
    Prime127 = 2,
}
