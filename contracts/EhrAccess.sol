// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title EhrAccess: who may read which patient's health records, and the audit trail of every access.
/// @notice The owner is the cloud EHR manager. It registers patients and doctors, suspends and reinstates them,
/// and sets the penalty threshold and the emergency window. Patients add and remove records (an id and the hash of
/// the record's block, never the block itself), decide on doctors' requests and log their own reads. Doctors request
/// access, log every access attempt (allowed or not, without reverting, so denials are on the chain too) and may declare
/// an emergency.
/// Nothing personal is stored: only accounts, ids, hashes and times.
/// @dev Storage is packed so that each rule reads as few slots as possible: one slot per account, one per
/// (patient, doctor) permission, one per record. Timestamps are seconds (uint64).
contract EhrAccess {
    enum Role {
        None,
        Patient,
        Doctor
    }

    enum PermissionStatus {
        None,
        Requested,
        Granted,
        Denied,
        Revoked
    }

    /// @notice Why a logged access attempt was denied.
    enum DenialReason {
        None,
        DoctorSuspended,
        NoPermission,
        PermissionExpired,
        UnknownRecord
    }

    /// @notice Why an account was suspended.
    enum SuspensionCause {
        Owner,
        Penalty
    }

    struct Account {
        Role role;
        bool suspended;
        uint32 penalties;
        uint32 aid;
        uint32 pid;
    }

    struct Permission {
        PermissionStatus status;
        uint64 expiresAt;
        uint64 requestedAt;
        uint64 emergencyUntil;
    }

    /// @dev Marks a removed record so its id cannot be reused with another block hash.
    bytes32 private constant REMOVED = bytes32(uint256(1));

    // One slot: the owner check and the penalty threshold cost one storage read. Not immutable, so the runtime
    // code is the same for every deployment and can be compared with the compiled artifact.
    address public owner;
    uint32 public penaltyThreshold;
    uint64 public emergencyWindow;

    mapping(address account => Account) private _accounts;
    mapping(uint64 patientAddress => address account) private _patientByAddress;
    mapping(address patient => mapping(address doctor => Permission)) private _permissions;
    mapping(address patient => mapping(bytes16 recordId => bytes32 blockHash)) private _records;

    event PatientRegistered(address indexed patient, uint32 aid, uint32 pid);
    event DoctorRegistered(address indexed doctor);
    event AccountSuspended(address indexed account, SuspensionCause cause);
    event AccountReinstated(address indexed account);
    event DoctorPenalized(address indexed doctor, uint32 penalties);
    event PenaltyLifted(address indexed doctor);
    event PenaltyThresholdSet(uint32 threshold);
    event EmergencyWindowSet(uint64 window);

    event RecordAdded(address indexed patient, bytes16 indexed recordId, bytes32 blockHash);
    event RecordRemoved(address indexed patient, bytes16 indexed recordId);

    event AccessRequested(address indexed patient, address indexed doctor);
    event PermissionGranted(address indexed patient, address indexed doctor, uint64 expiresAt);
    event PermissionDenied(address indexed patient, address indexed doctor);
    event PermissionRevoked(address indexed patient, address indexed doctor);

    event AccessGranted(address indexed patient, address indexed doctor, bytes16 indexed recordId);
    event AccessDenied(
        address indexed patient,
        address indexed doctor,
        bytes16 indexed recordId,
        DenialReason reason,
        uint32 penalties
    );
    event EmergencyAccess(address indexed patient, address indexed doctor, bytes32 reasonHash, uint64 until);
    /// @notice A patient read their own record (or record list, id 0); `allowed` is false for an unknown or removed record.
    event OwnerAccess(address indexed patient, bytes16 indexed recordId, bool allowed);

    error NotOwner(address caller);
    error NotPatient(address account);
    error NotDoctor(address account);
    error AccountIsSuspended(address account);
    error AlreadyRegistered(address account);
    error PatientAddressTaken(uint32 aid, uint32 pid);
    error InvalidAccount();
    error InvalidBlockHash();
    error RecordExists(bytes16 recordId);
    error UnknownRecord(bytes16 recordId);
    error ExpiryNotInFuture(uint64 expiresAt);
    error NoPendingRequest(address patient, address doctor);
    error NotGranted(address patient, address doctor);
    error AlreadyGranted(address patient, address doctor);

    constructor() {
        owner = msg.sender;
        penaltyThreshold = 3;
        emergencyWindow = 1 hours;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- owner

    function registerPatient(address patient, uint32 aid, uint32 pid) external onlyOwner {
        if (patient == address(0)) revert InvalidAccount();
        if (_accounts[patient].role != Role.None) revert AlreadyRegistered(patient);
        uint64 key = _patientKey(aid, pid);
        if (_patientByAddress[key] != address(0)) revert PatientAddressTaken(aid, pid);
        _accounts[patient] = Account(Role.Patient, false, 0, aid, pid);
        _patientByAddress[key] = patient;
        emit PatientRegistered(patient, aid, pid);
    }

    function registerDoctor(address doctor) external onlyOwner {
        if (doctor == address(0)) revert InvalidAccount();
        if (_accounts[doctor].role != Role.None) revert AlreadyRegistered(doctor);
        _accounts[doctor] = Account(Role.Doctor, false, 0, 0, 0);
        emit DoctorRegistered(doctor);
    }

    /// @notice Suspends a patient or a doctor: a suspended account cannot act, and a suspended doctor has no access.
    function suspend(address account) external onlyOwner {
        Account storage a = _registered(account);
        a.suspended = true;
        emit AccountSuspended(account, SuspensionCause.Owner);
    }

    /// @notice Lifts a suspension; the penalty count stays, so a doctor at the threshold is suspended again by the
    /// next denied attempt. Use liftPenalty to clear the count as well.
    function reinstate(address account) external onlyOwner {
        Account storage a = _registered(account);
        a.suspended = false;
        emit AccountReinstated(account);
    }

    /// @notice Adds a penalty to a doctor, e.g. for an emergency access the owner judged abusive.
    function penalize(address doctor) external onlyOwner {
        Account storage a = _doctor(doctor);
        _addPenalty(doctor, a);
    }

    /// @notice Clears a doctor's penalty count and any suspension.
    function liftPenalty(address doctor) external onlyOwner {
        Account storage a = _doctor(doctor);
        a.penalties = 0;
        a.suspended = false;
        emit PenaltyLifted(doctor);
    }

    function setPenaltyThreshold(uint32 threshold) external onlyOwner {
        require(threshold > 0, "EhrAccess: threshold must be positive");
        penaltyThreshold = threshold;
        emit PenaltyThresholdSet(threshold);
    }

    function setEmergencyWindow(uint64 window) external onlyOwner {
        require(window > 0 && window <= 7 days, "EhrAccess: window must be 1 s to 7 days");
        emergencyWindow = window;
        emit EmergencyWindowSet(window);
    }

    // ---------------------------------------------------------------- patients

    function addRecord(bytes16 recordId, bytes32 blockHash) external {
        _activePatient(msg.sender);
        if (blockHash == bytes32(0) || blockHash == REMOVED) revert InvalidBlockHash();
        mapping(bytes16 => bytes32) storage records = _records[msg.sender];
        if (records[recordId] != bytes32(0)) revert RecordExists(recordId);
        records[recordId] = blockHash;
        emit RecordAdded(msg.sender, recordId, blockHash);
    }

    function removeRecord(bytes16 recordId) external {
        _activePatient(msg.sender);
        mapping(bytes16 => bytes32) storage records = _records[msg.sender];
        bytes32 current = records[recordId];
        if (current == bytes32(0) || current == REMOVED) revert UnknownRecord(recordId);
        records[recordId] = REMOVED;
        emit RecordRemoved(msg.sender, recordId);
    }

    function grantAccess(address doctor, uint64 expiresAt) external {
        _activePatient(msg.sender);
        if (_accounts[doctor].role != Role.Doctor) revert NotDoctor(doctor);
        if (expiresAt <= block.timestamp) revert ExpiryNotInFuture(expiresAt);
        Permission storage p = _permissions[msg.sender][doctor];
        p.status = PermissionStatus.Granted;
        p.expiresAt = expiresAt;
        emit PermissionGranted(msg.sender, doctor, expiresAt);
    }

    function denyAccess(address doctor) external {
        _activePatient(msg.sender);
        Permission storage p = _permissions[msg.sender][doctor];
        if (p.status != PermissionStatus.Requested) revert NoPendingRequest(msg.sender, doctor);
        p.status = PermissionStatus.Denied;
        emit PermissionDenied(msg.sender, doctor);
    }

    /// @notice Ends a grant and any emergency window at once.
    function revokeAccess(address doctor) external {
        _activePatient(msg.sender);
        Permission storage p = _permissions[msg.sender][doctor];
        if (p.status != PermissionStatus.Granted && p.emergencyUntil <= block.timestamp) {
            revert NotGranted(msg.sender, doctor);
        }
        p.status = PermissionStatus.Revoked;
        p.expiresAt = 0;
        p.emergencyUntil = 0;
        emit PermissionRevoked(msg.sender, doctor);
    }

    /// @notice Logs the sender's (a patient's) read of their own record, so the audit trail holds every read, not only
    /// doctors'. Never reverts for a registered patient, suspended or not: a read that happened is recorded either way.
    /// An unknown or removed record is still logged, with `allowed` false (nothing can be served for it). A zero
    /// recordId stands for the record list. No penalty: it is the patient's own data.
    function logOwnAccess(bytes16 recordId) external returns (bool allowed) {
        if (_accounts[msg.sender].role != Role.Patient) revert NotPatient(msg.sender);
        allowed = true;
        if (recordId != bytes16(0)) {
            bytes32 h = _records[msg.sender][recordId];
            allowed = h != bytes32(0) && h != REMOVED;
        }
        emit OwnerAccess(msg.sender, recordId, allowed);
    }

    // ---------------------------------------------------------------- doctors

    function requestAccess(address patient) external {
        _activeDoctor(msg.sender);
        if (_accounts[patient].role != Role.Patient) revert NotPatient(patient);
        Permission storage p = _permissions[patient][msg.sender];
        if (p.status == PermissionStatus.Granted && p.expiresAt > block.timestamp) {
            revert AlreadyGranted(patient, msg.sender);
        }
        p.status = PermissionStatus.Requested;
        p.expiresAt = 0;
        p.requestedAt = uint64(block.timestamp);
        emit AccessRequested(patient, msg.sender);
    }

    /// @notice Logs the sender's (a doctor's) attempt to read a patient's record. Never reverts for a registered
    /// doctor: an allowed attempt emits AccessGranted, a refused one emits AccessDenied and adds a penalty, which
    /// suspends the doctor at the threshold. A zero recordId stands for the patient's record list.
    function logAccess(address patient, bytes16 recordId) external returns (bool allowed) {
        Account storage d = _accounts[msg.sender];
        if (d.role != Role.Doctor) revert NotDoctor(msg.sender);
        DenialReason reason = _denialReason(d, patient, msg.sender);
        if (reason == DenialReason.None && recordId != bytes16(0)) {
            bytes32 h = _records[patient][recordId];
            if (h == bytes32(0) || h == REMOVED) reason = DenialReason.UnknownRecord;
        }
        if (reason == DenialReason.None) {
            emit AccessGranted(patient, msg.sender, recordId);
            return true;
        }
        uint32 penalties = d.penalties + 1;
        d.penalties = penalties;
        emit AccessDenied(patient, msg.sender, recordId, reason, penalties);
        if (!d.suspended && penalties >= penaltyThreshold) {
            d.suspended = true;
            emit AccountSuspended(msg.sender, SuspensionCause.Penalty);
        }
        return false;
    }

    /// @notice Break-glass access for the emergency window, with the hash of the stated reason. Loudly logged; the
    /// owner reviews it and may penalize an abuse.
    function declareEmergency(address patient, bytes32 reasonHash) external {
        _activeDoctor(msg.sender);
        if (_accounts[patient].role != Role.Patient) revert NotPatient(patient);
        uint64 until = uint64(block.timestamp) + emergencyWindow;
        _permissions[patient][msg.sender].emergencyUntil = until;
        emit EmergencyAccess(patient, msg.sender, reasonHash, until);
    }

    // ---------------------------------------------------------------- views

    function hasAccess(address patient, address doctor) external view returns (bool) {
        Account storage d = _accounts[doctor];
        return d.role == Role.Doctor && _denialReason(d, patient, doctor) == DenialReason.None;
    }

    /// @notice The account registered for the patient address {aid, pid}, or the zero address.
    function patientByAddress(uint32 aid, uint32 pid) external view returns (address) {
        return _patientByAddress[_patientKey(aid, pid)];
    }

    function accountOf(
        address account
    ) external view returns (Role role, bool suspended, uint32 penalties, uint32 aid, uint32 pid) {
        Account storage a = _accounts[account];
        return (a.role, a.suspended, a.penalties, a.aid, a.pid);
    }

    function permissionOf(
        address patient,
        address doctor
    ) external view returns (PermissionStatus status, uint64 expiresAt, uint64 requestedAt, uint64 emergencyUntil) {
        Permission storage p = _permissions[patient][doctor];
        return (p.status, p.expiresAt, p.requestedAt, p.emergencyUntil);
    }

    /// @notice The block hash recorded for a patient's record; zero if unknown, and `removed` once removed.
    function recordOf(address patient, bytes16 recordId) external view returns (bytes32 blockHash, bool removed) {
        bytes32 h = _records[patient][recordId];
        if (h == REMOVED) return (bytes32(0), true);
        return (h, false);
    }

    // ---------------------------------------------------------------- internals

    function _denialReason(
        Account storage d,
        address patient,
        address doctor
    ) private view returns (DenialReason) {
        if (d.suspended) return DenialReason.DoctorSuspended;
        Permission storage p = _permissions[patient][doctor];
        if (p.emergencyUntil > block.timestamp) return DenialReason.None;
        if (p.status != PermissionStatus.Granted) return DenialReason.NoPermission;
        if (p.expiresAt <= block.timestamp) return DenialReason.PermissionExpired;
        return DenialReason.None;
    }

    function _addPenalty(address doctor, Account storage a) private {
        uint32 penalties = a.penalties + 1;
        a.penalties = penalties;
        emit DoctorPenalized(doctor, penalties);
        if (!a.suspended && penalties >= penaltyThreshold) {
            a.suspended = true;
            emit AccountSuspended(doctor, SuspensionCause.Penalty);
        }
    }

    function _patientKey(uint32 aid, uint32 pid) private pure returns (uint64) {
        return (uint64(aid) << 32) | pid;
    }

    function _registered(address account) private view returns (Account storage a) {
        a = _accounts[account];
        if (a.role == Role.None) revert InvalidAccount();
    }

    function _doctor(address account) private view returns (Account storage a) {
        a = _accounts[account];
        if (a.role != Role.Doctor) revert NotDoctor(account);
    }

    function _activePatient(address account) private view {
        Account storage a = _accounts[account];
        if (a.role != Role.Patient) revert NotPatient(account);
        if (a.suspended) revert AccountIsSuspended(account);
    }

    function _activeDoctor(address account) private view {
        Account storage a = _accounts[account];
        if (a.role != Role.Doctor) revert NotDoctor(account);
        if (a.suspended) revert AccountIsSuspended(account);
    }
}
