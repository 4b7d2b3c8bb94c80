namespace EhrShare.Core.Users;

/// <summary>
/// A user's Ethereum account. The private key is stored only in protected form (ASP.NET Core Data Protection, whose
/// key ring is itself encrypted at rest); it is unprotected in memory just to sign.
/// </summary>
public class ChainAccount
{
    public string UserId { get; set; } = "";

    /// <summary>EIP-55 checksummed address, <c>0x</c> + 40 hex digits.</summary>
    public string Address { get; set; } = "";

    public string ProtectedPrivateKey { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
