using System.Globalization;
using System.Numerics;
using EhrShare.Core.Chain;
using EhrShare.Core.Common;
using EhrShare.Infrastructure.Ethereum.Abi;
using EhrShare.Infrastructure.Ethereum.Contracts;
using EhrShare.Infrastructure.Ethereum.Crypto;
using EhrShare.Infrastructure.Ethereum.Rpc;

namespace EhrShare.Infrastructure.Chain;

/// <summary>
/// Turns the chain client's failures into the Core's: a revert into a <see cref="LedgerRejectedException"/> whose
/// message a patient, doctor or admin understands (the custom error's name kept in <c>ErrorName</c>); an unreachable
/// or slow node into a <see cref="DependencyUnavailableException"/> for "chain".
/// </summary>
internal static class LedgerErrors
{
    public const string Dependency = "chain";

    public static Exception Map(ChainException exception, EthAddress? sender) => exception switch
    {
        ContractRevertException revert => new LedgerRejectedException(Reason(revert.Reason, sender), ErrorName(revert.Reason), revert),
        ChainUnavailableException => new DependencyUnavailableException(
            Dependency, "The blockchain node is not reachable at the moment; nothing was changed. Please try again in a little while.", exception),
        TransactionTimeoutException => new DependencyUnavailableException(
            Dependency, "The blockchain did not confirm the operation in time. It may still go through; check again in a moment before repeating it.", exception),
        RpcException rpc when rpc.RpcMessage.Contains("insufficient funds", StringComparison.OrdinalIgnoreCase) => new LedgerRejectedException(
            "The account has not enough ether to pay for this transaction; the EHR manager can fund it.", "InsufficientFunds", exception),
        _ => new DependencyUnavailableException(
            Dependency, "The blockchain node gave an unexpected answer; nothing was changed. Please try again later.", exception),
    };

    /// <summary>The custom error's name, <c>Error</c> for a require message, or null.</summary>
    public static string? ErrorName(RevertReason reason) => reason.Kind switch
    {
        RevertKind.Custom or RevertKind.Error or RevertKind.Panic => reason.Name,
        _ => null,
    };

    /// <summary>A plain sentence for a revert. <paramref name="sender"/> tells "your account" from "that account".</summary>
    public static string Reason(RevertReason reason, EthAddress? sender)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (reason.Kind == RevertKind.Error)
        {
            var message = (string)reason.Arguments[0]!;
            message = message.StartsWith("EhrAccess: ", StringComparison.Ordinal) ? message["EhrAccess: ".Length..] : message;
            return message.Length == 0 ? "The blockchain refused the operation." : char.ToUpperInvariant(message[0]) + message[1..].TrimEnd('.') + ".";
        }

        if (reason.Kind != RevertKind.Custom)
        {
            return "The blockchain refused the operation.";
        }

        bool IsSender(int argument) => sender is { } s && reason.Arguments.Count > argument && reason.Arguments[argument] is EthAddress a && a == s;
        return reason.Name switch
        {
            "NotOwner" => "Only the EHR manager can do this.",
            "NotPatient" => IsSender(0)
                ? "Your account is not registered as a patient on the blockchain."
                : "That account is not a registered patient.",
            "NotDoctor" => IsSender(0)
                ? "Your account is not registered as a doctor on the blockchain."
                : "That account is not a registered doctor.",
            "AccountIsSuspended" => IsSender(0)
                ? "Your account is suspended; please contact the EHR manager."
                : "That account is suspended.",
            "AlreadyRegistered" => "This account is already registered.",
            "PatientAddressTaken" => string.Create(CultureInfo.InvariantCulture,
                $"The patient address {(BigInteger)reason.Arguments[0]!}-{(BigInteger)reason.Arguments[1]!} is already taken."),
            "InvalidAccount" => "That account is not registered.",
            "InvalidBlockHash" => "The record's fingerprint (block hash) is not valid.",
            "RecordExists" => "This record is already on the blockchain.",
            "UnknownRecord" => "This record does not exist or has already been removed.",
            "ExpiryNotInFuture" => "The expiry date must be in the future.",
            "ExpiryTooFar" => "The expiry date is too far in the future.",
            "NoPendingRequest" => "This doctor has no pending request to deny.",
            "NotGranted" => "This doctor has no access to revoke.",
            "InvalidRecordsRoot" => "The chosen set of records could not be shared; choose the records again.",
            "AlreadyGranted" => "You already have access to this patient's records.",
            _ => "The blockchain refused the operation.",
        };
    }

    /// <summary>A sentence for why a logged access attempt was denied.</summary>
    public static string Denial(DenialReason reason) => reason switch
    {
        DenialReason.DoctorSuspended => "The doctor is suspended",
        DenialReason.NoPermission => "No permission",
        DenialReason.PermissionExpired => "The permission has expired",
        DenialReason.UnknownRecord => "Unknown or removed record",
        DenialReason.RecordRemoved => "The record was removed before the read (no penalty)",
        DenialReason.OutsideGrant => "The record is not among those the patient shared with the doctor",
        _ => "Denied",
    };
}
