namespace EhrShare.Core.Access;

/// <summary>
/// A doctor's break-glass access. The chain holds only <see cref="ReasonCommitment"/> = keccak256(salt ‖ reason); the
/// reason and its salt stay here, encrypted at rest (<see cref="IEmergencyReasonProtector"/>), for the patient and the
/// manager to read, and the manager's review is kept with it.
/// </summary>
public class EmergencyDeclaration
{
    public long Id { get; set; }

    public string DoctorUserId { get; set; } = "";

    public string PatientUserId { get; set; } = "";

    /// <summary>The salt and the reason's text, protected with a Data Protection purpose of their own.</summary>
    public byte[] ProtectedReason { get; set; } = [];

    /// <summary>keccak256(salt ‖ UTF-8 reason), as put on the chain.</summary>
    public byte[] ReasonCommitment { get; set; } = [];

    public DateTimeOffset DeclaredAt { get; set; }

    /// <summary>The block its EmergencyAccess event is in (what the contract's review names it by).</summary>
    public long BlockNumber { get; set; }

    public string TransactionHash { get; set; } = "";

    /// <summary>The end of the window the contract gave.</summary>
    public DateTimeOffset Until { get; set; }

    public DateTimeOffset? ReviewedAt { get; set; }

    public string? ReviewedByUserId { get; set; }

    public EmergencyVerdict? Verdict { get; set; }
}

public enum EmergencyVerdict
{
    Justified = 1,
    Abusive = 2,
}

/// <summary>An emergency's reason as the doctor wrote it, with the salt of its on-chain commitment.</summary>
public sealed record EmergencyReason(byte[] Salt, string Text);

/// <summary>
/// Encrypts emergency reasons at rest (with their salts) and opens them for the patient and the manager. Reasons are
/// health data: never logged.
/// </summary>
public interface IEmergencyReasonProtector
{
    byte[] Protect(EmergencyReason reason);

    /// <summary>The stored reason; a <see cref="System.Security.Cryptography.CryptographicException"/> when it cannot be opened.</summary>
    EmergencyReason Unprotect(byte[] protectedReason);
}

/// <summary>A declared emergency the contract refused (its limits); the refusal is logged on the chain.</summary>
public sealed class EmergencyRefusedException(string message) : Common.ForbiddenException(message);
