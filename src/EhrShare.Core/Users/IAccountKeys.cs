namespace EhrShare.Core.Users;

/// <summary>Creates users' Ethereum accounts: a fresh key, kept only in protected form.</summary>
public interface IAccountKeys
{
    /// <summary>A new account for <paramref name="userId"/> (not yet saved).</summary>
    ChainAccount Create(string userId);
}
