// Package ledger is the Go side of the AidLedger contract (contracts/src/AidLedger.sol): its role
// ids and rejection reason codes as Go values, deployment, and the decoding of its custom-error
// reverts into text a person can read in a failed transaction's record.
//
// Calldata, views and events are packed and unpacked with the generated bindings in
// bindings/aidledger; this package adds only what the bindings cannot know.
package ledger

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/aidledger/aidledger/bindings/aidledger"
)

// Backend is what deploying and transacting need from a chain client: an *ethclient.Client and a
// simulated backend's client both satisfy it.
type Backend interface {
	bind.ContractBackend
	bind.DeployBackend
}

// Role ids, equal to the contract's constants: OpenZeppelin AccessControl keys roles by
// keccak256 of their name, and the admin role is the zero hash.
var (
	RoleAdmin          = common.Hash{}
	RoleProgramManager = crypto.Keccak256Hash([]byte("PROGRAM_MANAGER_ROLE"))
	RoleOperator       = crypto.Keccak256Hash([]byte("OPERATOR_ROLE"))
	RoleSettler        = crypto.Keccak256Hash([]byte("SETTLER_ROLE"))
)

// RoleName names a role id for logs and error messages; unknown ids are shown in hex.
func RoleName(role common.Hash) string {
	switch role {
	case RoleAdmin:
		return "admin"
	case RoleProgramManager:
		return "program_manager"
	case RoleOperator:
		return "operator"
	case RoleSettler:
		return "settler"
	}
	return role.Hex()
}

// Reason is why a batch item was rejected, as carried by the AllocationRejected and
// RedemptionRejected events. The values are the contract's REASON_* constants and never change.
type Reason uint8

const (
	ReasonNone                 Reason = 0 // not a rejection
	ReasonProgramInactive      Reason = 1
	ReasonVendorNotApproved    Reason = 2
	ReasonBeneficiarySuspended Reason = 3
	ReasonSequenceMismatch     Reason = 4
	ReasonInsufficientBalance  Reason = 5
	ReasonZeroAmount           Reason = 6
	ReasonStaleCycle           Reason = 7
)

var reasonNames = [...]string{
	ReasonNone:                 "none",
	ReasonProgramInactive:      "program_inactive",
	ReasonVendorNotApproved:    "vendor_not_approved",
	ReasonBeneficiarySuspended: "beneficiary_suspended",
	ReasonSequenceMismatch:     "sequence_mismatch",
	ReasonInsufficientBalance:  "insufficient_balance",
	ReasonZeroAmount:           "zero_amount",
	ReasonStaleCycle:           "stale_cycle",
}

// String returns the snake_case name used in API error codes and stored failure reasons.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason_%d", uint8(r))
}

// Deploy sends the transaction that creates an AidLedger whose only role holder is admin. It
// does not wait for the transaction to be mined: the caller decides how (bind.WaitDeployed on a
// live node, Commit on a simulated one).
func Deploy(ctx context.Context, backend Backend, key *ecdsa.PrivateKey, chainID *big.Int, admin common.Address) (common.Address, *types.Transaction, error) {
	if admin == (common.Address{}) {
		// The constructor would revert with ZeroAddress; fail before spending gas.
		return common.Address{}, nil, fmt.Errorf("deploy aidledger: zero admin address")
	}
	opts := bind.NewKeyedTransactor(key, chainID)
	opts.Context = ctx
	input := aidledger.NewAidLedger().PackConstructor(admin)
	addr, tx, err := bind.DeployContract(opts, common.FromHex(aidledger.AidLedgerMetaData.Bin), backend, input)
	if err != nil {
		return common.Address{}, nil, fmt.Errorf("deploy aidledger: %w", err)
	}
	return addr, tx, nil
}

// GrantRole sends grantRole(role, account) signed by key, which must hold the role's admin role
// (RoleAdmin for every AidLedger role). Like Deploy, it does not wait for mining.
func GrantRole(ctx context.Context, backend Backend, key *ecdsa.PrivateKey, chainID *big.Int, contract common.Address, role common.Hash, account common.Address) (*types.Transaction, error) {
	opts := bind.NewKeyedTransactor(key, chainID)
	opts.Context = ctx
	c := aidledger.NewAidLedger()
	tx, err := bind.Transact(c.Instance(backend, contract), opts, c.PackGrantRole(role, account))
	if err != nil {
		return nil, fmt.Errorf("grant %s to %s: %w", RoleName(role), account.Hex(), err)
	}
	return tx, nil
}

// HasFunction reports whether runtime code dispatches the ledger ABI's method name: whether its
// selector appears as a PUSH4 operand (0x63), as Solidity's dispatcher pushes each selector.
func HasFunction(code []byte, name string) bool {
	m, ok := aidledger.NewAidLedger().GetABI().Methods[name]
	if !ok {
		return false
	}
	return bytes.Contains(code, append([]byte{0x63}, m.ID...))
}
