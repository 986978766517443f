// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title AidLedger: the ledger of value for voucher-based humanitarian aid.
/// @notice Records donor funding, beneficiary entitlements, redemptions at approved vendors and
/// the agency's settlements with those vendors, in integer minor units of each program's currency.
/// Beneficiaries are opaque 32-byte pseudonyms: no personal data is ever written here.
///
/// Anyone with a plain Ethereum client can check, per program:
///   funded >= allocated == outstanding + redeemed + expired
/// and, per program and vendor:
///   redeemed == settled + unsettled
/// where redeemed is net of refunds (the sum of `Redeemed` amounts less the sum of `Refunded` ones)
/// and settled net of reversals (`Settled` less `SettlementReversed`).
/// from the views below and the events, without trusting the operator's server.
///
/// Nothing here loops over the population of beneficiaries or vendors; batch functions loop only
/// over the items the caller sends.
contract AidLedger is AccessControl, Pausable {
    /// Creates programs, records funding, allocates and expires entitlements, approves vendors,
    /// suspends beneficiaries.
    bytes32 public constant PROGRAM_MANAGER_ROLE = keccak256("PROGRAM_MANAGER_ROLE");
    /// Submits redemptions that the off-chain service accepted (PIN checked, balance reserved).
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// Records that the agency paid a vendor off chain.
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");

    // Reason codes carried by rejection events of batch functions. Stable: the server and
    // verifiers decode them.
    uint8 public constant REASON_PROGRAM_INACTIVE = 1;
    uint8 public constant REASON_VENDOR_NOT_APPROVED = 2;
    uint8 public constant REASON_BENEFICIARY_SUSPENDED = 3;
    uint8 public constant REASON_SEQUENCE_MISMATCH = 4;
    uint8 public constant REASON_INSUFFICIENT_BALANCE = 5;
    uint8 public constant REASON_ZERO_AMOUNT = 6;
    uint8 public constant REASON_STALE_CYCLE = 7;

    struct Program {
        // slot 0
        uint128 funded;
        uint128 allocated;
        // slot 1: the only program slot a redemption writes
        uint128 redeemed;
        uint128 expired;
        // slot 2
        uint128 settled;
        uint64 beneficiaries; // entitlements ever created in this program
        bool exists;
        bool active;
    }

    struct RedeemItem {
        bytes32 beneficiary;
        address vendor;
        uint128 amount;
        uint64 seq; // must equal the entitlement's redemption counter
        bytes32 ref; // the off-chain redemption id, carried to the event
    }

    // An entitlement (program, beneficiary) lives in ONE storage slot so that a redemption costs
    // one cold read and one write for it:
    //   bits   0..127  balance
    //   bits 128..191  seq: redemptions consumed so far (applied or rejected with a matching seq)
    //   bits 192..223  last allocated cycle (0 = never allocated)
    uint256 private constant BALANCE_MASK = type(uint128).max;
    uint256 private constant SEQ_SHIFT = 128;
    uint256 private constant CYCLE_SHIFT = 192;

    // A vendor's position in a program, one slot: bits 0..127 redeemed, bits 128..255 settled.
    uint256 private constant SETTLED_SHIFT = 128;

    mapping(uint64 => Program) private _programs;
    mapping(uint64 => mapping(bytes32 => uint256)) private _entitlements;
    mapping(uint64 => mapping(address => uint256)) private _vendorPositions;
    mapping(address => bool) private _vendorApproved;
    mapping(bytes32 => bool) private _suspended;

    event ProgramCreated(uint64 indexed programId);
    event ProgramStatusChanged(uint64 indexed programId, bool active);
    event Funded(uint64 indexed programId, bytes32 indexed donorRef, uint128 amount);
    event Allocated(uint64 indexed programId, bytes32 indexed beneficiary, uint32 indexed cycle, uint128 amount);
    event AllocationRejected(uint64 indexed programId, bytes32 indexed beneficiary, uint32 indexed cycle, uint128 amount, uint8 reason);
    event Redeemed(
        uint64 indexed programId, bytes32 indexed beneficiary, address indexed vendor, uint128 amount, uint64 seq, bytes32 ref
    );
    event RedemptionRejected(
        uint64 indexed programId,
        bytes32 indexed beneficiary,
        address indexed vendor,
        uint128 amount,
        uint64 seq,
        bytes32 ref,
        uint8 reason
    );
    event Expired(uint64 indexed programId, bytes32 indexed beneficiary, uint128 amount);
    event Settled(uint64 indexed programId, address indexed vendor, bytes32 indexed ref, uint128 amount);
    /// `ref` is the reversed settlement's ref, as its `Settled` event carries it.
    event SettlementReversed(uint64 indexed programId, address indexed vendor, bytes32 indexed ref, uint128 amount);
    /// `ref` is the refunded redemption's ref, as its `Redeemed` event carries it.
    event Refunded(uint64 indexed programId, bytes32 indexed beneficiary, address indexed vendor, uint128 amount, bytes32 ref);
    event VendorApproved(address indexed vendor);
    event VendorRevoked(address indexed vendor);
    event BeneficiarySuspended(bytes32 indexed beneficiary);
    event BeneficiaryReinstated(bytes32 indexed beneficiary);

    error ProgramAlreadyExists(uint64 programId);
    error UnknownProgram(uint64 programId);
    error ProgramInactive(uint64 programId);
    error ZeroAmount();
    error ZeroAddress();
    error LengthMismatch(uint256 ids, uint256 amounts);
    error InvalidCycle();
    error InsufficientFunds(uint64 programId, uint256 available, uint256 requested);
    error VendorNotApproved(address vendor);
    error BeneficiaryIsSuspended(bytes32 beneficiary);
    error SequenceMismatch(bytes32 beneficiary, uint64 expected, uint64 given);
    error InsufficientBalance(bytes32 beneficiary, uint128 balance, uint128 requested);
    error ExceedsUnsettled(address vendor, uint128 unsettled, uint128 requested);
    error ExceedsSettled(address vendor, uint128 settled, uint128 requested);

    constructor(address admin) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- admin

    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- programs and funding

    /// @notice Creates a program. Ids are chosen by the caller so that the off-chain record can
    /// name its program before the transaction is mined; creating an existing id reverts, which
    /// makes a duplicate submission harmless.
    function createProgram(uint64 programId) external onlyRole(PROGRAM_MANAGER_ROLE) whenNotPaused {
        Program storage p = _programs[programId];
        if (p.exists) revert ProgramAlreadyExists(programId);
        p.exists = true;
        p.active = true;
        emit ProgramCreated(programId);
    }

    /// @notice Closes (or reopens) a program for allocations and redemptions. Funding, expiry and
    /// settlement stay possible so that a closed program can be wound down.
    function setProgramActive(uint64 programId, bool active) external onlyRole(PROGRAM_MANAGER_ROLE) whenNotPaused {
        Program storage p = _existing(programId);
        p.active = active;
        emit ProgramStatusChanged(programId, active);
    }

    /// @notice Records a donor's contribution to a program. `donorRef` is an opaque reference to
    /// the donor agreement, never a person.
    function fund(uint64 programId, uint128 amount, bytes32 donorRef)
        external
        onlyRole(PROGRAM_MANAGER_ROLE)
        whenNotPaused
    {
        if (amount == 0) revert ZeroAmount();
        Program storage p = _existing(programId);
        p.funded += amount;
        emit Funded(programId, donorRef, amount);
    }

    // ---------------------------------------------------------------- entitlements

    /// @notice Credits entitlements for one cycle. An item whose entitlement already received
    /// this cycle (or a later one) is rejected with an event instead of being credited twice, so a
    /// re-sent allocation cannot double-pay. The whole batch reverts if the credited total would
    /// exceed what the program has funded but not yet allocated.
    function allocate(uint64 programId, uint32 cycle, bytes32[] calldata ids, uint128[] calldata amounts)
        external
        onlyRole(PROGRAM_MANAGER_ROLE)
        whenNotPaused
    {
        if (ids.length != amounts.length) revert LengthMismatch(ids.length, amounts.length);
        if (cycle == 0) revert InvalidCycle();
        Program storage p = _existing(programId);
        if (!p.active) revert ProgramInactive(programId);

        uint256 credited;
        uint64 created;
        mapping(bytes32 => uint256) storage ents = _entitlements[programId];
        for (uint256 i; i < ids.length; ++i) {
            bytes32 id = ids[i];
            uint128 amount = amounts[i];
            uint256 e = ents[id];
            uint32 last = uint32(e >> CYCLE_SHIFT);
            if (amount == 0) {
                emit AllocationRejected(programId, id, cycle, amount, REASON_ZERO_AMOUNT);
                continue;
            }
            if (last >= cycle) {
                emit AllocationRejected(programId, id, cycle, amount, REASON_STALE_CYCLE);
                continue;
            }
            if (last == 0) ++created;
            // balance + amount cannot overflow 128 bits: the sum is bounded by p.funded (checked below).
            uint256 balance = (e & BALANCE_MASK) + amount;
            ents[id] = (e & ~(BALANCE_MASK | (uint256(type(uint32).max) << CYCLE_SHIFT))) | balance
                | (uint256(cycle) << CYCLE_SHIFT);
            credited += amount;
            emit Allocated(programId, id, cycle, amount);
        }
        uint256 available = uint256(p.funded) - p.allocated;
        if (credited > available) revert InsufficientFunds(programId, available, credited);
        p.allocated += uint128(credited);
        p.beneficiaries += created;
    }

    /// @notice Returns each listed entitlement's remaining balance to the program (counted in
    /// `expired`). Entitlements with nothing left are skipped.
    function expire(uint64 programId, bytes32[] calldata ids) external onlyRole(PROGRAM_MANAGER_ROLE) whenNotPaused {
        Program storage p = _existing(programId);
        mapping(bytes32 => uint256) storage ents = _entitlements[programId];
        uint256 total;
        for (uint256 i; i < ids.length; ++i) {
            uint256 e = ents[ids[i]];
            uint128 balance = uint128(e & BALANCE_MASK);
            if (balance == 0) continue;
            ents[ids[i]] = e & ~BALANCE_MASK;
            total += balance;
            emit Expired(programId, ids[i], balance);
        }
        p.expired += uint128(total);
    }

    function suspendBeneficiary(bytes32 id) external onlyRole(PROGRAM_MANAGER_ROLE) whenNotPaused {
        if (!_suspended[id]) {
            _suspended[id] = true;
            emit BeneficiarySuspended(id);
        }
    }

    function reinstateBeneficiary(bytes32 id) external onlyRole(PROGRAM_MANAGER_ROLE) whenNotPaused {
        if (_suspended[id]) {
            _suspended[id] = false;
            emit BeneficiaryReinstated(id);
        }
    }

    // ---------------------------------------------------------------- vendors

    function approveVendor(address vendor) external onlyRole(PROGRAM_MANAGER_ROLE) whenNotPaused {
        if (vendor == address(0)) revert ZeroAddress();
        if (!_vendorApproved[vendor]) {
            _vendorApproved[vendor] = true;
            emit VendorApproved(vendor);
        }
    }

    function revokeVendor(address vendor) external onlyRole(PROGRAM_MANAGER_ROLE) whenNotPaused {
        if (_vendorApproved[vendor]) {
            _vendorApproved[vendor] = false;
            emit VendorRevoked(vendor);
        }
    }

    // ---------------------------------------------------------------- redemptions

    /// @notice Applies one redemption or reverts with the reason. `seq` must equal the
    /// entitlement's counter, which then increments: the same redemption can never apply twice,
    /// whether its transaction is re-sent or re-signed.
    function redeem(uint64 programId, bytes32 beneficiary, address vendor, uint128 amount, uint64 seq, bytes32 ref)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
    {
        Program storage p = _existing(programId);
        if (!p.active) revert ProgramInactive(programId);
        if (amount == 0) revert ZeroAmount();
        if (!_vendorApproved[vendor]) revert VendorNotApproved(vendor);
        if (_suspended[beneficiary]) revert BeneficiaryIsSuspended(beneficiary);
        uint256 e = _entitlements[programId][beneficiary];
        uint64 current = uint64(e >> SEQ_SHIFT);
        if (current != seq) revert SequenceMismatch(beneficiary, current, seq);
        uint128 balance = uint128(e & BALANCE_MASK);
        if (balance < amount) revert InsufficientBalance(beneficiary, balance, amount);
        _entitlements[programId][beneficiary] = e - amount + (uint256(1) << SEQ_SHIFT);
        _vendorPositions[programId][vendor] += amount;
        p.redeemed += amount;
        emit Redeemed(programId, beneficiary, vendor, amount, seq, ref);
    }

    /// @notice Applies the valid items of a batch and emits `RedemptionRejected` for each invalid
    /// one; one bad item never sinks the batch. An item whose `seq` matches is consumed even when
    /// rejected, so later redemptions of the same beneficiary keep their place; an item whose
    /// `seq` does not match (typically: already applied by an earlier transaction) changes nothing.
    function redeemBatch(uint64 programId, RedeemItem[] calldata items) external onlyRole(OPERATOR_ROLE) whenNotPaused {
        Program storage p = _existing(programId);
        bool active = p.active;
        mapping(bytes32 => uint256) storage ents = _entitlements[programId];
        mapping(address => uint256) storage positions = _vendorPositions[programId];
        uint256 total;
        for (uint256 i; i < items.length; ++i) {
            RedeemItem calldata it = items[i];
            uint256 e = ents[it.beneficiary];
            uint64 current = uint64(e >> SEQ_SHIFT);
            uint8 reason;
            if (current != it.seq) reason = REASON_SEQUENCE_MISMATCH;
            else if (!active) reason = REASON_PROGRAM_INACTIVE;
            else if (it.amount == 0) reason = REASON_ZERO_AMOUNT;
            else if (!_vendorApproved[it.vendor]) reason = REASON_VENDOR_NOT_APPROVED;
            else if (_suspended[it.beneficiary]) reason = REASON_BENEFICIARY_SUSPENDED;
            else if (uint128(e & BALANCE_MASK) < it.amount) reason = REASON_INSUFFICIENT_BALANCE;

            if (reason == 0) {
                ents[it.beneficiary] = e - it.amount + (uint256(1) << SEQ_SHIFT);
                positions[it.vendor] += it.amount;
                total += it.amount;
                emit Redeemed(programId, it.beneficiary, it.vendor, it.amount, it.seq, it.ref);
            } else {
                if (reason != REASON_SEQUENCE_MISMATCH) ents[it.beneficiary] = e + (uint256(1) << SEQ_SHIFT);
                emit RedemptionRejected(programId, it.beneficiary, it.vendor, it.amount, it.seq, it.ref, reason);
            }
        }
        // One write of the program total per batch instead of one per item.
        if (total != 0) p.redeemed += uint128(total);
    }

    // ---------------------------------------------------------------- refunds

    /// @notice Gives back to a beneficiary all or part of a redemption at `vendor` (goods
    /// returned, an amount typed wrong), identified by its ref. It comes out of what the agency
    /// still owes the vendor, so a vendor already paid for it is refused (`ExceedsUnsettled`):
    /// the agency recovers that money off chain first. The operator's service checks that
    /// refunds never add up to more than the redemption; anyone can check it from the events.
    /// It is allowed for a suspended beneficiary, a revoked vendor and an inactive program:
    /// value only goes back to the beneficiary's entitlement.
    function refund(uint64 programId, bytes32 beneficiary, address vendor, uint128 amount, bytes32 ref)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
    {
        (Program storage p, uint256 pos) = _takeUnsettled(programId, vendor, amount);
        uint256 e = _entitlements[programId][beneficiary];
        // Cannot overflow: the amount was redeemed from some entitlement of this program, and
        // balances are bounded by the program's allocated total, a uint128.
        _entitlements[programId][beneficiary] = e + amount;
        _vendorPositions[programId][vendor] = pos - amount;
        p.redeemed -= amount;
        emit Refunded(programId, beneficiary, vendor, amount, ref);
    }

    // ---------------------------------------------------------------- settlement

    /// @notice Records that the agency paid `vendor` `amount` off chain for its redemptions in a
    /// program; `ref` names the payout (e.g. a bank transfer id).
    function settle(uint64 programId, address vendor, uint128 amount, bytes32 ref)
        external
        onlyRole(SETTLER_ROLE)
        whenNotPaused
    {
        (Program storage p, uint256 pos) = _takeUnsettled(programId, vendor, amount);
        _vendorPositions[programId][vendor] = pos + (uint256(amount) << SETTLED_SHIFT);
        p.settled += amount;
        emit Settled(programId, vendor, ref, amount);
    }

    /// @notice Takes back all or part of a settlement recorded earlier under `ref`: a payout
    /// entered with the wrong amount or for the wrong vendor, or money the vendor paid back. The
    /// vendor is owed it again (and refunds can come out of it). The operator's service checks
    /// that reversals of a `ref` never add up to more than its settlement; anyone can check it
    /// from the events.
    function reverseSettlement(uint64 programId, address vendor, uint128 amount, bytes32 ref)
        external
        onlyRole(SETTLER_ROLE)
        whenNotPaused
    {
        if (amount == 0) revert ZeroAmount();
        Program storage p = _existing(programId);
        uint256 pos = _vendorPositions[programId][vendor];
        uint128 settled = uint128(pos >> SETTLED_SHIFT);
        if (amount > settled) revert ExceedsSettled(vendor, settled, amount);
        _vendorPositions[programId][vendor] = pos - (uint256(amount) << SETTLED_SHIFT);
        p.settled -= amount;
        emit SettlementReversed(programId, vendor, ref, amount);
    }

    // ---------------------------------------------------------------- views

    function programTotals(uint64 programId)
        external
        view
        returns (
            bool exists,
            bool active,
            uint128 funded,
            uint128 allocated,
            uint128 redeemed,
            uint128 settled,
            uint128 expired,
            uint64 beneficiaries
        )
    {
        Program storage p = _programs[programId];
        return (p.exists, p.active, p.funded, p.allocated, p.redeemed, p.settled, p.expired, p.beneficiaries);
    }

    /// @notice outstanding == allocated - redeemed - expired: the value beneficiaries still hold.
    function outstanding(uint64 programId) external view returns (uint128) {
        Program storage p = _programs[programId];
        return p.allocated - p.redeemed - p.expired;
    }

    function entitlement(uint64 programId, bytes32 beneficiary)
        external
        view
        returns (uint128 balance, uint64 seq, uint32 lastCycle, bool suspended)
    {
        uint256 e = _entitlements[programId][beneficiary];
        return (uint128(e & BALANCE_MASK), uint64(e >> SEQ_SHIFT), uint32(e >> CYCLE_SHIFT), _suspended[beneficiary]);
    }

    function vendorPosition(uint64 programId, address vendor)
        external
        view
        returns (bool approved, uint128 redeemed, uint128 settled, uint128 unsettled)
    {
        uint256 pos = _vendorPositions[programId][vendor];
        redeemed = uint128(pos & BALANCE_MASK);
        settled = uint128(pos >> SETTLED_SHIFT);
        return (_vendorApproved[vendor], redeemed, settled, redeemed - settled);
    }

    function isSuspended(bytes32 beneficiary) external view returns (bool) {
        return _suspended[beneficiary];
    }

    function isVendorApproved(address vendor) external view returns (bool) {
        return _vendorApproved[vendor];
    }

    /// @dev What settlements and refunds share: a positive amount, an existing program, and no
    /// more than the vendor is still owed there. Returns the program and the vendor's position.
    function _takeUnsettled(uint64 programId, address vendor, uint128 amount)
        private
        view
        returns (Program storage p, uint256 pos)
    {
        if (amount == 0) revert ZeroAmount();
        p = _existing(programId);
        pos = _vendorPositions[programId][vendor];
        uint128 unsettled = uint128(pos & BALANCE_MASK) - uint128(pos >> SETTLED_SHIFT);
        if (amount > unsettled) revert ExceedsUnsettled(vendor, unsettled, amount);
    }

    function _existing(uint64 programId) private view returns (Program storage p) {
        p = _programs[programId];
        if (!p.exists) revert UnknownProgram(programId);
    }
}
