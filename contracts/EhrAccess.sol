// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title EhrAccess: who may read which patient's health records, and the audit trail of every access.
/// @notice The owner is the cloud EHR manager. It registers patients and doctors, suspends and reinstates them,
/// and sets the penalty threshold and the emergency window. Patients add and remove records (an id and the hash of
/// the record's block, never the block itself), decide on doctors' requests and log their own reads. Doctors request
/// access, log every access attempt (allowed or not, one at a time or in batches, without reverting, so denials are on
/// the chain too) and may declare an emergency: limited per doctor (emergencyLimit in a rolling emergencyPeriod),
/// refused after a patient ended the last one until the owner reviewed it, and reviewed by the owner (an abusive one is
/// penalised).
/// Nothing personal is stored: only accounts, ids, hashes, salted commitments and times.
/// @dev Storage is packed so that each rule reads as few slots as possible: one slot per account, one per
/// (patient, doctor) permission, one per record, and for a grant of chosen records one more (its Merkle root), read only
/// for those. Timestamps are seconds (uint64 in the ABI, uint40 or uint32 in storage).
///
/// Access is decided *at a point*: a block n (the state the app saw: every grant, revocation, emergency, suspension and
/// removal mined up to and including block n) and a time t (for the expiries, which are times). The app decides a read
/// with the view `accessAt(patient, doctor, record, t, proof)` on the latest block and logs it later with
/// `logAccess(..., t, n, proof)`; the contract re-decides as of (n, t), so a read allowed when made is logged as allowed
/// even if the grant ends before the log is mined. Ordering by block number (not time) makes a revocation mined in the same second as a read exact.
/// For that, a permission keeps its last grant and its last emergency as intervals of blocks ([start, end), end open
/// until a revocation) bounded by their expiry time, and an account keeps the blocks of its last suspension and
/// reinstatement. See docs/decisions/ (access decided at the attempt).
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
        UnknownRecord,
        RecordRemoved,
        /// @dev Allowed only by a grant of chosen records, and the proof does not place the record under its root.
        OutsideGrant
    }

    /// @notice Why a declared emergency was refused (None: declared).
    enum EmergencyRefusal {
        None,
        /// @dev emergencyLimit emergencies already declared in the last emergencyPeriod.
        TooMany,
        /// @dev The patient ended this doctor's last emergency and the owner has not reviewed it yet.
        AwaitingReview
    }

    /// @notice Why an account was suspended.
    enum SuspensionCause {
        Owner,
        Penalty
    }

    /// @dev 22 bytes, one slot. Suspended at block n iff suspendedBlock <= n and (still suspended, or n < reinstatedBlock):
    /// only the last suspension is kept.
    struct Account {
        Role role;
        bool suspended;
        uint32 penalties;
        uint32 aid;
        uint32 pid;
        uint32 suspendedBlock;
        uint32 reinstatedBlock;
    }

    /// @dev 32 bytes, one slot. The last grant covers blocks [grantedBlock, grantEndBlock) and times before expiresAt;
    /// the last emergency blocks [emergencyBlock, emergencyEndBlock) and times before emergencyUntil. An end block is
    /// OPEN until a revocation sets it; never granted (or never declared) is the empty interval [0, 0).
    /// emergencyUnreviewed: the patient ended the last emergency and the owner has not reviewed it (so declareEmergency
    /// reads it with the permission, at no extra slot). requestedAt and emergencyUntil are 32 bits (seconds until 2106)
    /// to make room for it and for `scoped`: the grant's records are read from _scopes (a second slot) only when set, so
    /// a grant of all records costs no more than before. scoped is set by a grant of chosen records and by any change
    /// of the set of a grant in force (a read decided before the change may still need the old set), and cleared by a
    /// grant of all records that starts a new interval.
    struct Permission {
        PermissionStatus status;
        bool emergencyUnreviewed;
        bool scoped;
        uint32 requestedAt;
        uint40 expiresAt;
        uint32 emergencyUntil;
        uint32 grantedBlock;
        uint32 grantEndBlock;
        uint32 emergencyBlock;
        uint32 emergencyEndBlock;
    }

    /// @notice One access attempt in a logAccessBatch: the arguments of logAccess.
    struct Attempt {
        address patient;
        bytes16 recordId;
        uint64 attemptedAt;
        uint64 decidedAtBlock;
        bytes32[] proof;
    }

    /// @dev The end of an interval no revocation has closed yet.
    uint32 private constant OPEN = type(uint32).max;

    /// @dev A removed record's slot holds the block of its removal (a value below 2^32, which no SHA-256 block hash is in
    /// practice; addRecord refuses such hashes), so its id cannot be reused and a read decided before it stays valid.
    uint256 private constant REMOVED_BELOW = uint256(type(uint32).max) + 1;

    /// @dev The most emergencies a doctor's history slot keeps (6 times of 40 bits), hence the highest emergencyLimit.
    uint8 private constant MAX_EMERGENCY_LIMIT = 6;

    uint256 private constant EMERGENCY_TIMES_MASK = (uint256(1) << 240) - 1;

    /// @dev Set in a doctor's history slot at registration, so the first emergency rewrites a non-zero slot (2,900 gas)
    /// instead of filling an empty one (20,000): declareEmergency stays cheap, registerDoctor pays once.
    uint256 private constant EMERGENCY_TIMES_SET = uint256(1) << 255;

    /// @dev A scope slot: the records root's top 224 bits, and in the low 32 bits the block from which it holds.
    uint256 private constant SCOPE_BLOCK_MASK = type(uint32).max;

    // One slot: the owner check, the penalty threshold and the emergency settings cost one storage read. Not immutable,
    // so the runtime code is the same for every deployment and can be compared with the compiled artifact.
    address public owner;
    uint32 public penaltyThreshold;
    uint32 public emergencyWindow;
    /// @notice At most this many emergencies per doctor in any emergencyPeriod (rolling).
    uint8 public emergencyLimit;
    uint24 public emergencyPeriod;

    mapping(address account => Account) private _accounts;
    mapping(uint64 patientAddress => address account) private _patientByAddress;
    mapping(address patient => mapping(address doctor => Permission)) private _permissions;
    mapping(address patient => mapping(bytes16 recordId => bytes32 blockHash)) private _records;
    /// @dev Per doctor: the times of the last MAX_EMERGENCY_LIMIT emergencies, 40 bits each, newest in the low bits, and
    /// EMERGENCY_TIMES_SET.
    mapping(address doctor => uint256 times) private _emergencyTimes;
    /// @dev Per permission with `scoped` set: the set of records the grant covers from a block on (root 0: all records).
    mapping(address patient => mapping(address doctor => uint256 scope)) private _scopes;
    /// @dev The scope in force before the last change of a grant's set (for reads decided before that change).
    mapping(address patient => mapping(address doctor => uint256 scope)) private _previousScopes;

    event PatientRegistered(address indexed patient, uint32 aid, uint32 pid);
    event DoctorRegistered(address indexed doctor);
    event AccountSuspended(address indexed account, SuspensionCause cause);
    event AccountReinstated(address indexed account);
    event DoctorPenalized(address indexed doctor, uint32 penalties);
    event PenaltyLifted(address indexed doctor);
    event PenaltyThresholdSet(uint32 threshold);
    event EmergencyWindowSet(uint64 window);
    event EmergencyLimitSet(uint8 limit, uint64 period);

    event RecordAdded(address indexed patient, bytes16 indexed recordId, bytes32 blockHash);
    event RecordRemoved(address indexed patient, bytes16 indexed recordId);

    event AccessRequested(address indexed patient, address indexed doctor);
    /// @notice A grant (or its extension, or a change of its set): `recordsRoot` is the Merkle root of the chosen
    /// records' ids (see grantRecords), zero for all records.
    event PermissionGranted(address indexed patient, address indexed doctor, uint64 expiresAt, bytes32 recordsRoot);
    event PermissionDenied(address indexed patient, address indexed doctor);
    event PermissionRevoked(address indexed patient, address indexed doctor);

    /// @notice An allowed read; `attemptedAt` is when it was made (the app's time, never after the block's).
    event AccessGranted(address indexed patient, address indexed doctor, bytes16 indexed recordId, uint64 attemptedAt);
    /// @notice A refused (or, for RecordRemoved, unservable) read, with the doctor's penalty count after it.
    event AccessDenied(
        address indexed patient,
        address indexed doctor,
        bytes16 indexed recordId,
        DenialReason reason,
        uint32 penalties,
        uint64 attemptedAt
    );
    /// @notice A declared emergency. `reasonCommitment` is keccak256(salt ‖ reason) with a random 32-byte salt: the reason
    /// itself stays off the chain, and without the salt a dictionary of likely reasons cannot be checked against it.
    event EmergencyAccess(address indexed patient, address indexed doctor, bytes32 reasonCommitment, uint64 until);
    /// @notice A refused emergency declaration (nothing changed but the log).
    event EmergencyRefused(address indexed patient, address indexed doctor, EmergencyRefusal reason);
    /// @notice The owner's verdict on the doctor's emergency declared at block `declaredBlock`; an abusive one is also
    /// penalised (DoctorPenalized follows).
    event EmergencyReviewed(address indexed patient, address indexed doctor, uint64 declaredBlock, bool abusive);
    /// @notice A patient read their own record (or record list, id 0); `allowed` is false for a record unknown, or already
    /// removed, at the attempt.
    event OwnerAccess(address indexed patient, bytes16 indexed recordId, bool allowed, uint64 attemptedAt);

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
    error ExpiryTooFar(uint64 expiresAt);
    error BlockNumberTooLarge(uint256 blockNumber);
    error NoEmergency(address patient, address doctor);
    error UnknownEmergencyBlock(uint64 declaredBlock);
    error EmptyBatch();
    error InvalidRecordsRoot();

    constructor() {
        owner = msg.sender;
        penaltyThreshold = 3;
        emergencyWindow = 1 hours;
        emergencyLimit = 2;
        emergencyPeriod = 24 hours;
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
        _accounts[patient] = Account(Role.Patient, false, 0, aid, pid, 0, 0);
        _patientByAddress[key] = patient;
        emit PatientRegistered(patient, aid, pid);
    }

    function registerDoctor(address doctor) external onlyOwner {
        if (doctor == address(0)) revert InvalidAccount();
        if (_accounts[doctor].role != Role.None) revert AlreadyRegistered(doctor);
        _accounts[doctor] = Account(Role.Doctor, false, 0, 0, 0, 0, 0);
        _emergencyTimes[doctor] = EMERGENCY_TIMES_SET;
        emit DoctorRegistered(doctor);
    }

    /// @notice Suspends a patient or a doctor: a suspended account cannot act, and a suspended doctor has no access.
    function suspend(address account) external onlyOwner {
        Account storage a = _registered(account);
        if (!a.suspended) {
            a.suspended = true;
            a.suspendedBlock = _blockNumber();
        }
        emit AccountSuspended(account, SuspensionCause.Owner);
    }

    /// @notice Lifts a suspension; the penalty count stays, so a doctor at the threshold is suspended again by the
    /// next denied attempt. Use liftPenalty to clear the count as well.
    function reinstate(address account) external onlyOwner {
        Account storage a = _registered(account);
        _lift(a);
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
        _lift(a);
        emit PenaltyLifted(doctor);
    }

    function setPenaltyThreshold(uint32 threshold) external onlyOwner {
        require(threshold > 0, "EhrAccess: threshold must be positive");
        penaltyThreshold = threshold;
        emit PenaltyThresholdSet(threshold);
    }

    function setEmergencyWindow(uint64 window) external onlyOwner {
        require(window > 0 && window <= 7 days, "EhrAccess: window must be 1 s to 7 days");
        emergencyWindow = uint32(window);
        emit EmergencyWindowSet(window);
    }

    /// @notice At most `limit` emergencies (1 to 6) per doctor in any `period` (1 hour to 90 days, rolling).
    function setEmergencyLimit(uint8 limit, uint64 period) external onlyOwner {
        require(limit > 0 && limit <= MAX_EMERGENCY_LIMIT, "EhrAccess: limit must be 1 to 6");
        require(period >= 1 hours && period <= 90 days, "EhrAccess: period must be 1 hour to 90 days");
        emergencyLimit = limit;
        emergencyPeriod = uint24(period);
        emit EmergencyLimitSet(limit, period);
    }

    /// @notice The owner's verdict on the doctor's emergency on the patient declared at block `declaredBlock` (the block
    /// of its EmergencyAccess event). Abusive: a penalty, which counts toward suspension. Either way, if it is the last
    /// emergency and the patient ended it, the doctor may declare one on this patient again.
    function reviewEmergency(address patient, address doctor, uint64 declaredBlock, bool abusive) external onlyOwner {
        Account storage a = _doctor(doctor);
        Permission storage p = _permissions[patient][doctor];
        uint32 start = p.emergencyBlock;
        if (start == 0) revert NoEmergency(patient, doctor);
        if (declaredBlock == 0 || declaredBlock > block.number) revert UnknownEmergencyBlock(declaredBlock);
        // Only the last emergency (its window began at `start`; a declaration while it was open extended it) holds the
        // cool-down: reviewing an older one leaves it.
        if (declaredBlock >= start && p.emergencyUnreviewed) p.emergencyUnreviewed = false;
        emit EmergencyReviewed(patient, doctor, declaredBlock, abusive);
        if (abusive) _addPenalty(doctor, a);
    }

    // ---------------------------------------------------------------- patients

    function addRecord(bytes16 recordId, bytes32 blockHash) external {
        _activePatient(msg.sender);
        if (uint256(blockHash) < REMOVED_BELOW) revert InvalidBlockHash();
        mapping(bytes16 => bytes32) storage records = _records[msg.sender];
        if (records[recordId] != bytes32(0)) revert RecordExists(recordId);
        records[recordId] = blockHash;
        emit RecordAdded(msg.sender, recordId, blockHash);
    }

    function removeRecord(bytes16 recordId) external {
        _activePatient(msg.sender);
        mapping(bytes16 => bytes32) storage records = _records[msg.sender];
        if (uint256(records[recordId]) < REMOVED_BELOW) revert UnknownRecord(recordId);
        records[recordId] = bytes32(uint256(_blockNumber()));
        emit RecordRemoved(msg.sender, recordId);
    }

    /// @notice Grants the doctor all of the sender's records (those added later too) until `expiresAt`. Over a grant in
    /// force, extends it (its start stays) and widens its set, if it had one, to all records.
    function grantAccess(address doctor, uint64 expiresAt) external {
        _grant(doctor, expiresAt, 0);
    }

    /// @notice Grants the doctor a chosen set of the sender's records until `expiresAt`: `recordsRoot` is the root of a
    /// Merkle tree over the records' ids (leaf keccak256(keccak256(recordId)), each inner node the keccak256 of its two
    /// children in ascending order), and zero stands for all records, as grantAccess. The ids themselves stay off the
    /// chain; a read logs the record with its proof. A record added later is not in the set. Over a grant in force,
    /// extends it and replaces its set from this block on: a read decided on an earlier block is judged by the set it
    /// was made under (only the last change is kept, as only the last grant interval is).
    function grantRecords(address doctor, uint64 expiresAt, bytes32 recordsRoot) external {
        if (recordsRoot != bytes32(0) && uint256(recordsRoot) >> 32 == 0) revert InvalidRecordsRoot();
        _grant(doctor, expiresAt, uint256(recordsRoot));
    }

    function denyAccess(address doctor) external {
        _activePatient(msg.sender);
        Permission storage p = _permissions[msg.sender][doctor];
        if (p.status != PermissionStatus.Requested) revert NoPendingRequest(msg.sender, doctor);
        p.status = PermissionStatus.Denied;
        emit PermissionDenied(msg.sender, doctor);
    }

    /// @notice Ends a grant and any emergency window at once, from this block on: reads decided on earlier blocks stay
    /// allowed.
    function revokeAccess(address doctor) external {
        _activePatient(msg.sender);
        Permission storage p = _permissions[msg.sender][doctor];
        bool emergency = p.emergencyEndBlock == OPEN && p.emergencyUntil > block.timestamp;
        if (p.status != PermissionStatus.Granted && !emergency) {
            revert NotGranted(msg.sender, doctor);
        }
        uint32 b = _blockNumber();
        p.status = PermissionStatus.Revoked;
        if (p.grantEndBlock == OPEN) p.grantEndBlock = b;
        if (p.emergencyEndBlock == OPEN) p.emergencyEndBlock = b;
        // Ending an emergency holds the doctor's next one on this patient until the owner has reviewed this one.
        if (emergency) p.emergencyUnreviewed = true;
        emit PermissionRevoked(msg.sender, doctor);
    }

    /// @notice Logs the sender's (a patient's) read of their own record, so the audit trail holds every read, not only
    /// doctors'. Never reverts for a registered patient, suspended or not: a read that happened is recorded either way.
    /// The record is checked as of block `decidedAtBlock` (the app's view when it served the read; a later block is
    /// taken as this one): unknown, or removed by then, is logged with `allowed` false; removed after it, as allowed.
    /// A zero recordId stands for the record list. No penalty: it is the patient's own data. `attemptedAt` is when the
    /// read was made; a time after this block's is taken as this block's.
    function logOwnAccess(
        bytes16 recordId,
        uint64 attemptedAt,
        uint64 decidedAtBlock
    ) external returns (bool allowed) {
        if (_accounts[msg.sender].role != Role.Patient) revert NotPatient(msg.sender);
        (uint256 n, uint64 t) = _point(decidedAtBlock, attemptedAt);
        allowed = recordId == bytes16(0) || _recordReason(msg.sender, recordId, n) == DenialReason.None;
        emit OwnerAccess(msg.sender, recordId, allowed, t);
    }

    // ---------------------------------------------------------------- doctors

    function requestAccess(address patient) external {
        _activeDoctor(msg.sender);
        if (_accounts[patient].role != Role.Patient) revert NotPatient(patient);
        Permission storage p = _permissions[patient][msg.sender];
        if (p.status == PermissionStatus.Granted && p.expiresAt > block.timestamp) {
            revert AlreadyGranted(patient, msg.sender);
        }
        // The last grant's interval stays: reads made under it are still logged as allowed.
        p.status = PermissionStatus.Requested;
        p.requestedAt = uint32(block.timestamp);
        emit AccessRequested(patient, msg.sender);
    }

    /// @notice Logs the sender's (a doctor's) attempt to read a patient's record, decided as the app decided it: as of
    /// block `decidedAtBlock` (the block its `accessAt` view read; a later block is taken as this one) and time
    /// `attemptedAt` (when the read was made; a time after this block's is taken as this block's). Never reverts for a
    /// registered doctor: an allowed attempt emits AccessGranted, a refused one emits AccessDenied and adds a penalty,
    /// which suspends the doctor at the threshold. Two denials add none: a record removed by the decision's block
    /// (RecordRemoved: a race the doctor could not see) and an attempt made while the doctor was suspended. A zero
    /// recordId stands for the patient's record list. `proof` places the record under the root of a grant of chosen
    /// records (grantRecords; empty under a grant of all records, for the record list, or for a set of one record): a
    /// read allowed only by such a grant whose proof fails is OutsideGrant, penalised. An emergency covers every record.
    function logAccess(
        address patient,
        bytes16 recordId,
        uint64 attemptedAt,
        uint64 decidedAtBlock,
        bytes32[] calldata proof
    ) external returns (bool allowed) {
        Account storage d = _accounts[msg.sender];
        if (d.role != Role.Doctor) revert NotDoctor(msg.sender);
        return _logAccess(d, patient, recordId, attemptedAt, decidedAtBlock, proof);
    }

    /// @notice Logs several of the sender's (a doctor's) attempts in one transaction, in the given order: each exactly as
    /// logAccess would, decided as of its own block and time, with its own AccessGranted or AccessDenied event, and each
    /// denial's penalty counted in turn (one that reaches the threshold suspends the doctor from this block on, which
    /// later attempts of the batch decided on this block see). Only the doctor's own account logs its attempts: a batch
    /// holds one reader's attempts. Reverts for an empty batch or a non-doctor sender (then nothing is logged).
    function logAccessBatch(Attempt[] calldata attempts) external {
        Account storage d = _accounts[msg.sender];
        if (d.role != Role.Doctor) revert NotDoctor(msg.sender);
        uint256 count = attempts.length;
        if (count == 0) revert EmptyBatch();
        for (uint256 i = 0; i < count; ) {
            Attempt calldata a = attempts[i];
            _logAccess(d, a.patient, a.recordId, a.attemptedAt, a.decidedAtBlock, a.proof);
            unchecked {
                ++i;
            }
        }
    }

    /// @notice Break-glass access for the emergency window, with a salted commitment to the stated reason
    /// (keccak256(salt ‖ reason), both kept off the chain). Loudly logged; the owner reviews it and may judge it abusive.
    /// Refused, without reverting (EmergencyRefused is logged and false returned; nothing else changes), when the doctor
    /// already declared emergencyLimit emergencies in the last emergencyPeriod, or when the patient ended this doctor's
    /// last emergency and the owner has not reviewed it yet.
    function declareEmergency(address patient, bytes32 reasonCommitment) external returns (bool declared) {
        _activeDoctor(msg.sender);
        if (_accounts[patient].role != Role.Patient) revert NotPatient(patient);
        Permission storage p = _permissions[patient][msg.sender];
        if (p.emergencyUnreviewed) {
            emit EmergencyRefused(patient, msg.sender, EmergencyRefusal.AwaitingReview);
            return false;
        }
        uint256 times = _emergencyTimes[msg.sender];
        uint256 limit = emergencyLimit;
        // The limit-th latest emergency (0: fewer so far) decides: within the period, one more would be one too many.
        uint256 oldest = (times >> (40 * (limit - 1))) & type(uint40).max;
        if (oldest != 0 && oldest + emergencyPeriod > block.timestamp) {
            emit EmergencyRefused(patient, msg.sender, EmergencyRefusal.TooMany);
            return false;
        }
        _emergencyTimes[msg.sender] = EMERGENCY_TIMES_SET | ((times << 40) & EMERGENCY_TIMES_MASK) | block.timestamp;
        uint32 until = uint32(block.timestamp + emergencyWindow);
        // A window still open is extended (its start stays); otherwise a new one starts here.
        if (p.emergencyEndBlock != OPEN || p.emergencyUntil <= block.timestamp) {
            p.emergencyBlock = _blockNumber();
            p.emergencyEndBlock = OPEN;
        }
        p.emergencyUntil = until;
        emit EmergencyAccess(patient, msg.sender, reasonCommitment, until);
        return true;
    }

    /// @notice How many emergencies the doctor declared in the last emergencyPeriod (up to emergencyLimit), and the
    /// limit: what the app tells a doctor before they declare one.
    function emergenciesInPeriod(address doctor) external view returns (uint8 count, uint8 limit) {
        uint256 times = _emergencyTimes[doctor];
        limit = emergencyLimit;
        uint256 period = emergencyPeriod;
        for (uint256 i = 0; i < limit; i++) {
            uint256 t = (times >> (40 * i)) & type(uint40).max;
            if (t == 0 || t + period <= block.timestamp) break;
            count++;
        }
    }

    /// @notice Whether the patient ended the doctor's last emergency and the owner has not reviewed it yet (then the
    /// doctor cannot declare another on this patient).
    function emergencyAwaitingReview(address patient, address doctor) external view returns (bool) {
        return _permissions[patient][doctor].emergencyUnreviewed;
    }

    // ---------------------------------------------------------------- views

    /// @notice Whether the doctor may read the patient's record list now (this block, this block's time): exactly what
    /// logAccess decides for an attempt made now on the list (id 0). A grant of chosen records counts.
    function hasAccess(address patient, address doctor) external view returns (bool) {
        Account storage d = _accounts[doctor];
        if (d.role != Role.Doctor) return false;
        (DenialReason reason, ) = _denialReason(d, _permissions[patient][doctor], block.number, block.timestamp);
        return reason == DenialReason.None;
    }

    /// @notice The decision the app acts on: whether the doctor may read the patient's record `recordId` (0: the record
    /// list) with `proof` (as logAccess takes it) as of this block at time `attemptedAt` (the app's clock, so an expiry is
    /// judged at the read even when the last block is old), and this block's number. Logging the read with
    /// logAccess(patient, recordId, attemptedAt, decidedAtBlock, proof) records the same decision (the record's own
    /// state, unknown or removed, aside: the app reads it with recordOf). With it, as of the same block, the reason of a
    /// refusal and the doctor's standing to word it without asking again: whether the account is suspended (as
    /// accountOf) and the permission's status and expiry (as permissionOf).
    function accessAt(
        address patient,
        address doctor,
        bytes16 recordId,
        uint64 attemptedAt,
        bytes32[] calldata proof
    )
        external
        view
        returns (
            bool allowed,
            uint64 decidedAtBlock,
            bool suspended,
            PermissionStatus status,
            uint64 expiresAt,
            DenialReason reason
        )
    {
        reason = _accessReason(patient, doctor, recordId, attemptedAt, proof);
        allowed = reason == DenialReason.None;
        decidedAtBlock = uint64(block.number);
        suspended = _accounts[doctor].suspended;
        Permission storage p = _permissions[patient][doctor];
        status = p.status;
        expiresAt = status == PermissionStatus.Granted ? p.expiresAt : 0;
    }

    /// @notice The leaf of a record in a grant's Merkle tree: keccak256(keccak256(recordId)) (hashed twice, so that no
    /// inner node can pass for a leaf).
    function recordLeaf(bytes16 recordId) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(keccak256(abi.encodePacked(recordId))));
    }

    /// @notice The set of records the patient's grant to the doctor covers as of block `atBlock` (a Merkle root, zero for
    /// all records), and the block from which that set holds (zero: since the grant's start).
    function grantScopeAt(
        address patient,
        address doctor,
        uint64 atBlock
    ) external view returns (bytes32 recordsRoot, uint64 fromBlock) {
        if (!_permissions[patient][doctor].scoped) return (bytes32(0), 0);
        uint256 s = _scopeAt(patient, doctor, atBlock);
        return (bytes32(s & ~SCOPE_BLOCK_MASK), uint64(s & SCOPE_BLOCK_MASK));
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
        // The current standing, as before the intervals were kept: expiresAt for a grant only, emergencyUntil until a
        // revocation closes the window.
        Permission memory p = _permissions[patient][doctor];
        return (
            p.status,
            p.status == PermissionStatus.Granted ? p.expiresAt : 0,
            p.requestedAt,
            p.emergencyEndBlock == OPEN ? p.emergencyUntil : 0
        );
    }

    /// @notice The block hash recorded for a patient's record; zero if unknown, and `removed` once removed.
    function recordOf(address patient, bytes16 recordId) external view returns (bytes32 blockHash, bool removed) {
        bytes32 h = _records[patient][recordId];
        if (uint256(h) < REMOVED_BELOW) return (bytes32(0), h != bytes32(0));
        return (h, false);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Why a doctor's read is refused as of block n at time t (None: allowed), and whether it is allowed only by a
    /// grant whose set must be checked (`scoped`). Suspended at n; else allowed inside the emergency's interval (every
    /// record) or the grant's; a grant in force at n whose expiry t reached is PermissionExpired.
    function _denialReason(
        Account storage d,
        Permission storage p,
        uint256 n,
        uint256 t
    ) private view returns (DenialReason, bool scoped) {
        uint256 suspendedBlock = d.suspendedBlock;
        if (suspendedBlock <= n && (d.suspended || n < d.reinstatedBlock)) return (DenialReason.DoctorSuspended, false);
        Permission memory q = p;
        if (q.emergencyBlock <= n && n < q.emergencyEndBlock && t < q.emergencyUntil) return (DenialReason.None, false);
        bool granted = q.grantedBlock <= n && n < q.grantEndBlock;
        if (granted && t < q.expiresAt) return (DenialReason.None, q.scoped);
        return (granted ? DenialReason.PermissionExpired : DenialReason.NoPermission, false);
    }

    /// @dev accessAt's reason, as of this block.
    function _accessReason(
        address patient,
        address doctor,
        bytes16 recordId,
        uint64 attemptedAt,
        bytes32[] calldata proof
    ) private view returns (DenialReason) {
        Account storage d = _accounts[doctor];
        if (d.role != Role.Doctor) return DenialReason.NoPermission;
        (DenialReason reason, bool scoped) = _denialReason(d, _permissions[patient][doctor], block.number, attemptedAt);
        if (reason != DenialReason.None || !scoped || recordId == bytes16(0)) return reason;
        return _covers(patient, doctor, recordId, proof, block.number) ? DenialReason.None : DenialReason.OutsideGrant;
    }

    /// @dev Whether the set of the grant in force at block n (scoped) holds the record, by its proof.
    function _covers(
        address patient,
        address doctor,
        bytes16 recordId,
        bytes32[] calldata proof,
        uint256 n
    ) private view returns (bool) {
        uint256 root = _scopeAt(patient, doctor, n) & ~SCOPE_BLOCK_MASK;
        if (root == 0) return true;
        bytes32 node = recordLeaf(recordId);
        for (uint256 i = 0; i < proof.length; ) {
            bytes32 sibling = proof[i];
            node = node < sibling
                ? keccak256(abi.encodePacked(node, sibling))
                : keccak256(abi.encodePacked(sibling, node));
            unchecked {
                ++i;
            }
        }
        return uint256(node) & ~SCOPE_BLOCK_MASK == root;
    }

    /// @dev The scope slot in force at block n: the last set, or the one before it for a read decided before its change.
    function _scopeAt(address patient, address doctor, uint256 n) private view returns (uint256 s) {
        s = _scopes[patient][doctor];
        if (n < (s & SCOPE_BLOCK_MASK)) s = _previousScopes[patient][doctor];
    }

    /// @dev grantAccess (root 0) and grantRecords.
    function _grant(address doctor, uint64 expiresAt, uint256 root) private {
        _activePatient(msg.sender);
        if (_accounts[doctor].role != Role.Doctor) revert NotDoctor(doctor);
        if (expiresAt <= block.timestamp) revert ExpiryNotInFuture(expiresAt);
        // Stored in 40 bits (up to the year 36812); a later expiry is refused rather than silently shortened.
        if (expiresAt > type(uint40).max) revert ExpiryTooFar(expiresAt);
        uint40 until = uint40(expiresAt);
        Permission storage p = _permissions[msg.sender][doctor];
        uint32 b = _blockNumber();
        uint256 rootBits = root & ~SCOPE_BLOCK_MASK;
        if (p.grantEndBlock != OPEN || p.expiresAt <= block.timestamp) {
            // A new interval starts here (the earlier one is forgotten, and reads decided before it are outside this
            // one): the set holds from here, and a grant of all records needs no scope slot at all.
            p.grantedBlock = b;
            p.grantEndBlock = OPEN;
            if (rootBits != 0) _scopes[msg.sender][doctor] = rootBits | b;
            p.scoped = rootBits != 0;
        } else {
            // A grant still in force is extended: its start stays, so reads made under it stay allowed. A new set holds
            // from this block; the one it replaces is kept for reads decided before.
            uint256 current = p.scoped ? _scopes[msg.sender][doctor] : 0;
            if (current & ~SCOPE_BLOCK_MASK != rootBits) {
                // A second change in the same block keeps the set in force before the block (the one its earlier reads
                // were decided on), not the first change's.
                if (current & SCOPE_BLOCK_MASK != b) _previousScopes[msg.sender][doctor] = current;
                _scopes[msg.sender][doctor] = rootBits | b;
                p.scoped = true;
            }
        }
        p.status = PermissionStatus.Granted;
        p.expiresAt = until;
        emit PermissionGranted(msg.sender, doctor, until, bytes32(root));
    }

    /// @dev logAccess for the doctor d (msg.sender, already checked to be a doctor).
    function _logAccess(
        Account storage d,
        address patient,
        bytes16 recordId,
        uint64 attemptedAt,
        uint64 decidedAtBlock,
        bytes32[] calldata proof
    ) private returns (bool) {
        (uint256 n, uint64 t) = _point(decidedAtBlock, attemptedAt);
        (DenialReason reason, bool scoped) = _denialReason(d, _permissions[patient][msg.sender], n, t);
        if (reason == DenialReason.None && recordId != bytes16(0)) {
            if (scoped && !_covers(patient, msg.sender, recordId, proof, n)) reason = DenialReason.OutsideGrant;
            else reason = _recordReason(patient, recordId, n);
        }
        if (reason == DenialReason.None) {
            emit AccessGranted(patient, msg.sender, recordId, t);
            return true;
        }
        uint32 penalties = d.penalties;
        // No penalty for a record removed by then (a race the doctor could not see), nor for an attempt refused because
        // the doctor was suspended (it already is; penalising it would only re-suspend the doctor, once the owner lifts
        // the penalty, for attempts made before).
        if (reason == DenialReason.RecordRemoved || reason == DenialReason.DoctorSuspended) {
            emit AccessDenied(patient, msg.sender, recordId, reason, penalties, t);
            return false;
        }
        penalties += 1;
        d.penalties = penalties;
        emit AccessDenied(patient, msg.sender, recordId, reason, penalties, t);
        if (!d.suspended && penalties >= penaltyThreshold) {
            d.suspended = true;
            d.suspendedBlock = _blockNumber();
            emit AccountSuspended(msg.sender, SuspensionCause.Penalty);
        }
        return false;
    }

    /// @dev A record as of block n: UnknownRecord if never added, RecordRemoved if removed at or before n.
    function _recordReason(address patient, bytes16 recordId, uint256 n) private view returns (DenialReason) {
        uint256 h = uint256(_records[patient][recordId]);
        if (h == 0) return DenialReason.UnknownRecord;
        if (h < REMOVED_BELOW && h <= n) return DenialReason.RecordRemoved;
        return DenialReason.None;
    }

    /// @dev The decision point of a logged attempt, never after this block.
    function _point(uint64 decidedAtBlock, uint64 attemptedAt) private view returns (uint256 n, uint64 t) {
        n = decidedAtBlock < block.number ? decidedAtBlock : block.number;
        t = attemptedAt < block.timestamp ? attemptedAt : uint64(block.timestamp);
    }

    function _blockNumber() private view returns (uint32) {
        if (block.number >= OPEN) revert BlockNumberTooLarge(block.number);
        return uint32(block.number);
    }

    function _lift(Account storage a) private {
        if (a.suspended) {
            a.suspended = false;
            a.reinstatedBlock = _blockNumber();
        }
    }

    function _addPenalty(address doctor, Account storage a) private {
        uint32 penalties = a.penalties + 1;
        a.penalties = penalties;
        emit DoctorPenalized(doctor, penalties);
        if (!a.suspended && penalties >= penaltyThreshold) {
            a.suspended = true;
            a.suspendedBlock = _blockNumber();
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
