namespace EhrShare.Core.Users;

/// <summary>Where a user is in the approval process run by the cloud EHR manager.</summary>
public enum UserStatus
{
    /// <summary>Registered, waiting for the admin: can do nothing but see that it is pending.</summary>
    Pending = 0,

    /// <summary>Approved: has an Ethereum account registered on the contract.</summary>
    Approved = 1,

    /// <summary>Rejected by the admin.</summary>
    Rejected = 2,
}
