// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package aidledger

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// AidLedgerRedeemItem is an auto generated low-level Go binding around an user-defined struct.
type AidLedgerRedeemItem struct {
	Beneficiary [32]byte
	Vendor      common.Address
	Amount      *big.Int
	Seq         uint64
	Ref         [32]byte
}

// AidLedgerMetaData contains all meta data concerning the AidLedger contract.
var AidLedgerMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"admin\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"AccessControlBadConfirmation\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"neededRole\",\"type\":\"bytes32\"}],\"name\":\"AccessControlUnauthorizedAccount\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"}],\"name\":\"BeneficiaryIsSuspended\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"EnforcedPause\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"internalType\":\"uint128\",\"name\":\"settled\",\"type\":\"uint128\"},{\"internalType\":\"uint128\",\"name\":\"requested\",\"type\":\"uint128\"}],\"name\":\"ExceedsSettled\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"internalType\":\"uint128\",\"name\":\"unsettled\",\"type\":\"uint128\"},{\"internalType\":\"uint128\",\"name\":\"requested\",\"type\":\"uint128\"}],\"name\":\"ExceedsUnsettled\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ExpectedPause\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"internalType\":\"uint128\",\"name\":\"balance\",\"type\":\"uint128\"},{\"internalType\":\"uint128\",\"name\":\"requested\",\"type\":\"uint128\"}],\"name\":\"InsufficientBalance\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"uint256\",\"name\":\"available\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"requested\",\"type\":\"uint256\"}],\"name\":\"InsufficientFunds\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InvalidCycle\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"ids\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amounts\",\"type\":\"uint256\"}],\"name\":\"LengthMismatch\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"}],\"name\":\"ProgramAlreadyExists\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"}],\"name\":\"ProgramInactive\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"internalType\":\"uint64\",\"name\":\"expected\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"given\",\"type\":\"uint64\"}],\"name\":\"SequenceMismatch\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"}],\"name\":\"UnknownProgram\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"}],\"name\":\"VendorNotApproved\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAddress\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAmount\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"uint32\",\"name\":\"cycle\",\"type\":\"uint32\"},{\"indexed\":false,\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"}],\"name\":\"Allocated\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"uint32\",\"name\":\"cycle\",\"type\":\"uint32\"},{\"indexed\":false,\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"indexed\":false,\"internalType\":\"uint8\",\"name\":\"reason\",\"type\":\"uint8\"}],\"name\":\"AllocationRejected\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"}],\"name\":\"BeneficiaryReinstated\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"}],\"name\":\"BeneficiarySuspended\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"}],\"name\":\"Expired\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"donorRef\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"}],\"name\":\"Funded\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Paused\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"}],\"name\":\"ProgramCreated\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"bool\",\"name\":\"active\",\"type\":\"bool\"}],\"name\":\"ProgramStatusChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"seq\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"}],\"name\":\"Redeemed\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"seq\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint8\",\"name\":\"reason\",\"type\":\"uint8\"}],\"name\":\"RedemptionRejected\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"}],\"name\":\"Refunded\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"previousAdminRole\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"newAdminRole\",\"type\":\"bytes32\"}],\"name\":\"RoleAdminChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleGranted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleRevoked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"}],\"name\":\"Settled\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"}],\"name\":\"SettlementReversed\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Unpaused\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"}],\"name\":\"VendorApproved\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"}],\"name\":\"VendorRevoked\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"DEFAULT_ADMIN_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"OPERATOR_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"PROGRAM_MANAGER_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"REASON_BENEFICIARY_SUSPENDED\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"REASON_INSUFFICIENT_BALANCE\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"REASON_PROGRAM_INACTIVE\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"REASON_SEQUENCE_MISMATCH\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"REASON_STALE_CYCLE\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"REASON_VENDOR_NOT_APPROVED\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"REASON_ZERO_AMOUNT\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"\",\"type\":\"uint8\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"SETTLER_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"uint32\",\"name\":\"cycle\",\"type\":\"uint32\"},{\"internalType\":\"bytes32[]\",\"name\":\"ids\",\"type\":\"bytes32[]\"},{\"internalType\":\"uint128[]\",\"name\":\"amounts\",\"type\":\"uint128[]\"}],\"name\":\"allocate\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"}],\"name\":\"approveVendor\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"}],\"name\":\"createProgram\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"}],\"name\":\"entitlement\",\"outputs\":[{\"internalType\":\"uint128\",\"name\":\"balance\",\"type\":\"uint128\"},{\"internalType\":\"uint64\",\"name\":\"seq\",\"type\":\"uint64\"},{\"internalType\":\"uint32\",\"name\":\"lastCycle\",\"type\":\"uint32\"},{\"internalType\":\"bool\",\"name\":\"suspended\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"bytes32[]\",\"name\":\"ids\",\"type\":\"bytes32[]\"}],\"name\":\"expire\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"internalType\":\"bytes32\",\"name\":\"donorRef\",\"type\":\"bytes32\"}],\"name\":\"fund\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"}],\"name\":\"getRoleAdmin\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"grantRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"hasRole\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"}],\"name\":\"isSuspended\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"}],\"name\":\"isVendorApproved\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"}],\"name\":\"outstanding\",\"outputs\":[{\"internalType\":\"uint128\",\"name\":\"\",\"type\":\"uint128\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"pause\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"paused\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"}],\"name\":\"programTotals\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"exists\",\"type\":\"bool\"},{\"internalType\":\"bool\",\"name\":\"active\",\"type\":\"bool\"},{\"internalType\":\"uint128\",\"name\":\"funded\",\"type\":\"uint128\"},{\"internalType\":\"uint128\",\"name\":\"allocated\",\"type\":\"uint128\"},{\"internalType\":\"uint128\",\"name\":\"redeemed\",\"type\":\"uint128\"},{\"internalType\":\"uint128\",\"name\":\"settled\",\"type\":\"uint128\"},{\"internalType\":\"uint128\",\"name\":\"expired\",\"type\":\"uint128\"},{\"internalType\":\"uint64\",\"name\":\"beneficiaries\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"internalType\":\"uint64\",\"name\":\"seq\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"}],\"name\":\"redeem\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"components\":[{\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"internalType\":\"uint64\",\"name\":\"seq\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"}],\"internalType\":\"structAidLedger.RedeemItem[]\",\"name\":\"items\",\"type\":\"tuple[]\"}],\"name\":\"redeemBatch\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"beneficiary\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"}],\"name\":\"refund\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"id\",\"type\":\"bytes32\"}],\"name\":\"reinstateBeneficiary\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"callerConfirmation\",\"type\":\"address\"}],\"name\":\"renounceRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"}],\"name\":\"reverseSettlement\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"revokeRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"}],\"name\":\"revokeVendor\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"bool\",\"name\":\"active\",\"type\":\"bool\"}],\"name\":\"setProgramActive\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"},{\"internalType\":\"uint128\",\"name\":\"amount\",\"type\":\"uint128\"},{\"internalType\":\"bytes32\",\"name\":\"ref\",\"type\":\"bytes32\"}],\"name\":\"settle\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes4\",\"name\":\"interfaceId\",\"type\":\"bytes4\"}],\"name\":\"supportsInterface\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"id\",\"type\":\"bytes32\"}],\"name\":\"suspendBeneficiary\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"unpause\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"programId\",\"type\":\"uint64\"},{\"internalType\":\"address\",\"name\":\"vendor\",\"type\":\"address\"}],\"name\":\"vendorPosition\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"approved\",\"type\":\"bool\"},{\"internalType\":\"uint128\",\"name\":\"redeemed\",\"type\":\"uint128\"},{\"internalType\":\"uint128\",\"name\":\"settled\",\"type\":\"uint128\"},{\"internalType\":\"uint128\",\"name\":\"unsettled\",\"type\":\"uint128\"}],\"stateMutability\":\"view\",\"type\":\"function\"}]",
	ID:  "AidLedger",
	Bin: "0x60803461007d57601f6128c438819003918201601f19168301916001600160401b038311848410176100815780849260209460405283398101031261007d57516001600160a01b03811680820361007d571561006e5761005e90610095565b50604051612785908161011f8239f35b63d92e233d60e01b5f5260045ffd5b5f80fd5b634e487b7160e01b5f52604160045260245ffd5b6001600160a01b0381165f9081525f5160206128a45f395f51905f52602052604090205460ff16610119576001600160a01b03165f8181525f5160206128a45f395f51905f5260205260408120805460ff191660011790553391907f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d8180a4600190565b505f9056fe6080806040526004361015610012575f80fd5b5f3560e01c90816301ffc9a714611f59575080630b67cd8114611f2a5780631fa3922a14611ae7578063248a9ca314611ab55780632aac228214611a9a5780632f2ff15d14611a5d57806336568abe146119f35780633f4ba83a14611974578063404532e414611959578063456b81091461187857806346509524146117fa5780634732506a1461178257806353ac30ea146116bf5780635c975abb1461169d57806365cd4bc8146116825780636bfc0a0b146116675780637445e85c1461162d5780638456cb59146115d55780638544d3741461145457806391d14854146113fe578063a217fddf146113e4578063a2392b231461130d578063a2a27fc314610ea1578063b2857e8a14610d7e578063b622c2af14610bdc578063b6360ba314610b68578063c6c3257614610b4d578063c789e60514610abe578063ca731995146109f8578063d1bf0aaf146106f0578063d547741f146106ac578063e23965f0146104db578063e6942d05146104c0578063e9d8c38114610486578063ecbbec351461046b578063f2bd1acc146103da578063f557d1a51461031d578063f5b541a6146102e3578063f8a52923146102225763fc34d3a6146101d4575f80fd5b3461021e57602060031936011261021e5773ffffffffffffffffffffffffffffffffffffffff610202612085565b165f526005602052602060ff60405f2054166040519015158152f35b5f80fd5b3461021e57602060031936011261021e5773ffffffffffffffffffffffffffffffffffffffff610250612085565b610258612258565b6102606124be565b1680156102bb57805f52600560205260ff60405f2054161561027e57005b805f52600560205260405f20600160ff198254161790557f922f98fcca08712aa87d1f5cb1a1e16c1be752c228e5499c967497dd4c6d569d5f80a2005b7fd92e233d000000000000000000000000000000000000000000000000000000005f5260045ffd5b3461021e575f60031936011261021e5760206040517f97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b9298152f35b3461021e57604060031936011261021e576080610338611ff7565b67ffffffffffffffff61034961203f565b91165f52600460205260405f2073ffffffffffffffffffffffffffffffffffffffff82165f526020526fffffffffffffffffffffffffffffffff60405f205473ffffffffffffffffffffffffffffffffffffffff82821691851c93165f52600560205260ff60405f205416926103bf81836121f0565b91604051941515855260208501526040840152166060820152f35b3461021e57604060031936011261021e5760806103f5611ff7565b67ffffffffffffffff60243591165f52600360205260405f20815f5260205260405f2054905f52600660205260ff60405f20541663ffffffff604051926fffffffffffffffffffffffffffffffff8116845267ffffffffffffffff81861c16602085015260c01c16604083015215156060820152f35b3461021e575f60031936011261021e57602060405160078152f35b3461021e575f60031936011261021e5760206040517f104852406e94df2c5112860c28c2d2e43c02e322bc0cf95e2d0159faf296d7fb8152f35b3461021e575f60031936011261021e57602060405160018152f35b3461021e576104e9366120c7565b9290916104f46123d0565b6104fc6124be565b6fffffffffffffffffffffffffffffffff83169283156106845767ffffffffffffffff610528846124f2565b931692835f52600460205260405f2073ffffffffffffffffffffffffffffffffffffffff84165f5260205260405f20548060801c80871161063a575092826fffffffffffffffffffffffffffffffff610607600273ffffffffffffffffffffffffffffffffffffffff956105e57f6c5f00c93fc7b28a13654498d9ed87edac251afc788a8f0f4c4a39f958354fa9997fffffffffffffffffffffffffffffffff0000000000000000000000000000000060209a60801b16906121b1565b8a5f526004895260405f208888165f52895260405f20550192828454166121f0565b167fffffffffffffffffffffffffffffffff000000000000000000000000000000008254161790556040519586521693a4005b869073ffffffffffffffffffffffffffffffffffffffff867f23a172af000000000000000000000000000000000000000000000000000000005f521660045260245260445260645ffd5b7f1f2a2005000000000000000000000000000000000000000000000000000000005f5260045ffd5b3461021e57604060031936011261021e576106ee6004356106cb61203f565b906106e96106e4825f525f602052600160405f20015490565b612458565b6125fc565b005b3461021e5760c060031936011261021e57610709611ff7565b60243590610715612062565b9161071e6120a8565b6084359067ffffffffffffffff82169182810361021e5761073d612348565b6107456124be565b61074e856124f2565b60ff600282015460c81c16156109c2576fffffffffffffffffffffffffffffffff83169687156106845773ffffffffffffffffffffffffffffffffffffffff1695865f52600560205260ff60405f2054161561099657855f52600660205260ff60405f20541661096a5767ffffffffffffffff1693845f52600360205260405f20865f5260205260405f20549067ffffffffffffffff8260801c168181036109385750506fffffffffffffffffffffffffffffffff811688811061090457507f8b5cd84ceb54bfabc2927934bc33e0394fe03b1ca370152b20c928d20cd000de93929188610846610841826001956121b1565b612186565b875f52600360205260405f20895f5260205260405f2055865f52600460205260405f20895f5260205261087e60405f209182546121a4565b9055016fffffffffffffffffffffffffffffffff61089f84828454166121be565b82547fffffffffffffffffffffffffffffffff00000000000000000000000000000000169116179055604080516fffffffffffffffffffffffffffffffff909316835267ffffffffffffffff909116602083015260a4359082015280606081010390a4005b8890877f6002a988000000000000000000000000000000000000000000000000000000005f5260045260245260445260645ffd5b877fc14c343a000000000000000000000000000000000000000000000000000000005f5260045260245260445260645ffd5b857ffee0b8c2000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b867f5d9e9c39000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b67ffffffffffffffff867f382d4693000000000000000000000000000000000000000000000000000000005f521660045260245ffd5b3461021e57602060031936011261021e5767ffffffffffffffff610a1a611ff7565b165f52600260205261010060405f2067ffffffffffffffff6002820154600183549301546040519360ff8360c01c161515855260ff8360c81c16151560208601526fffffffffffffffffffffffffffffffff8116604086015260801c60608501526fffffffffffffffffffffffffffffffff811660808501526fffffffffffffffffffffffffffffffff821660a085015260801c60c084015260801c1660e0820152f35b3461021e57602060031936011261021e5773ffffffffffffffffffffffffffffffffffffffff610aec612085565b610af4612258565b610afc6124be565b16805f52600560205260ff60405f205416610b1357005b805f52600560205260405f2060ff1981541690557f3eca25914ecb879497695e69af43e2a9a24acae24253d59a43f87f41f922f9fd5f80a2005b3461021e575f60031936011261021e57602060405160068152f35b3461021e57602060031936011261021e57600435610b84612258565b610b8c6124be565b805f52600660205260ff60405f205416610ba257005b805f52600660205260405f2060ff1981541690557f7726dd7d6fa79f9c6a031a01bac04989d5740ff8701fca3e1a0cf644b762eb135f80a2005b3461021e57604060031936011261021e57610bf5611ff7565b60243567ffffffffffffffff811161021e57610c1590369060040161200e565b610c1d612258565b610c256124be565b67ffffffffffffffff610c37846124f2565b931691825f52600360205260405f20925f935f5b848110610cba576106ee86610c7a6fffffffffffffffffffffffffffffffff60018b019216825460801c6121be565b6fffffffffffffffffffffffffffffffff7fffffffffffffffffffffffffffffffff0000000000000000000000000000000083549260801b169116179055565b610cc581868661212c565b355f528160205260405f2054956fffffffffffffffffffffffffffffffff8716968715610d73578783927fffffffffffffffffffffffffffffffff00000000000000000000000000000000610d3393610d216001978c8c61212c565b355f52876020521660405f20556121a4565b96847f395ad5d1439f511d6c5e3d8f3066049fb4b88e1454cd7a51759221364eec9e916020610d63858b8b61212c565b3593604051908152a35b01610c4b565b509550600190610d6d565b3461021e577f011b9a181108463956ee0542ea732e9209a7ae311bc94e8056ccd630c27c171573ffffffffffffffffffffffffffffffffffffffff6020610dc4366120c7565b95929391610dd39591956123d0565b610ddb6124be565b6002610e2367ffffffffffffffff610df489858a6126a6565b7fffffffffffffffffffffffffffffffff000000000000000000000000000000008b60809593951b16906121a4565b971696875f526004865260405f208585165f52865260405f2055016fffffffffffffffffffffffffffffffff610e5c88828454166121be565b167fffffffffffffffffffffffffffffffff000000000000000000000000000000008254161790556fffffffffffffffffffffffffffffffff604051961686521693a4005b3461021e57604060031936011261021e57610eba611ff7565b6024359067ffffffffffffffff821161021e573660238301121561021e5781600401359067ffffffffffffffff821161021e5736602460a084028501011161021e57610f04612348565b610f0c6124be565b610f15816124f2565b9067ffffffffffffffff60ff600284015460c81c169116805f52600360205260405f2091815f52600460205260405f205f945f5b878110156112b55760a0810289016024810135805f52876020528660405f20545f90608485019167ffffffffffffffff610f8284612222565b1667ffffffffffffffff608084901c16146111d0575060ff60045b168b816111075750506064850190610fb482612169565b6fffffffffffffffffffffffffffffffff16610fcf916121b1565b610fd890612186565b845f528b60205260405f2055610fed81612169565b6fffffffffffffffffffffffffffffffff169b604486019c61100e8e612237565b73ffffffffffffffffffffffffffffffffffffffff165f528960205260405f209081549061103b916121a4565b905561104682612169565b6fffffffffffffffffffffffffffffffff16611061916121a4565b9b61106b90612237565b9061107590612169565b9161107f90612222565b916040519273ffffffffffffffffffffffffffffffffffffffff8493169660a40135906110d9928467ffffffffffffffff6040929594936fffffffffffffffffffffffffffffffff60608401971683521660208201520152565b037f8b5cd84ceb54bfabc2927934bc33e0394fe03b1ca370152b20c928d20cd000de91a46001905b01610f49565b600197968273ffffffffffffffffffffffffffffffffffffffff927f44de09d7792f85083a3b6e51719a5c2777324405327795ee1a4fc4d831df2e8d9560046080969a99989a036111b4575b505060a461116360448401612237565b9267ffffffffffffffff61118261117c60648401612169565b9b612222565b6fffffffffffffffffffffffffffffffff6040519c168c521660208b01520135604089015260608801521694a4611101565b6111bd90612186565b90885f5260205260405f20558e5f611153565b896111df575060ff6001610f9d565b606486016fffffffffffffffffffffffffffffffff6111fd82612169565b1661120d57505060ff6006610f9d565b73ffffffffffffffffffffffffffffffffffffffff61122e60448901612237565b165f52600560205260ff60405f205416155f1461125057505060ff6002610f9d565b855f52600660205260ff60405f2054165f1461127157505060ff6003610f9d565b61128b6fffffffffffffffffffffffffffffffff91612169565b166fffffffffffffffffffffffffffffffff8316106112ad575b60ff90610f9d565b5060056112a5565b8682816112be57005b6112e26fffffffffffffffffffffffffffffffff60018193019316828454166121be565b82547fffffffffffffffffffffffffffffffff00000000000000000000000000000000169116179055005b3461021e57606060031936011261021e57611326611ff7565b6024356fffffffffffffffffffffffffffffffff81169081810361021e5761134c612258565b6113546124be565b8115610684576fffffffffffffffffffffffffffffffff611381611377856124f2565b92828454166121be565b167fffffffffffffffffffffffffffffffff000000000000000000000000000000008254161790556040519081527ff1b40fbaad7a97415ba3b389716914b3cd4014ea9378400fc4444c9655c7521b602067ffffffffffffffff604435941692a3005b3461021e575f60031936011261021e5760206040515f8152f35b3461021e57604060031936011261021e5761141761203f565b6004355f525f60205273ffffffffffffffffffffffffffffffffffffffff60405f2091165f52602052602060ff60405f2054166040519015158152f35b3461021e5760a060031936011261021e5761146d611ff7565b602435611478612062565b916114816120a8565b9261148a612348565b6114926124be565b61149d8482846126a6565b94909267ffffffffffffffff1692835f52600360205260405f20855f5260205260405f2054956fffffffffffffffffffffffffffffffff83166114e18180996121a4565b865f52600360205260405f20885f5260205260405f2055611501916121b1565b845f52600460205260405f2073ffffffffffffffffffffffffffffffffffffffff85165f5260205260405f20556001019081546fffffffffffffffffffffffffffffffff1690611550916121f0565b6fffffffffffffffffffffffffffffffff1681547fffffffffffffffffffffffffffffffff0000000000000000000000000000000016179055604051938452608435602085015273ffffffffffffffffffffffffffffffffffffffff169260407fa1b6d00b5b549928c10d818f47061637e586334517be74da6d4c400bf43d93ee91a4005b3461021e575f60031936011261021e576115ed6122e0565b6115f56124be565b600160ff19815416176001557f62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a2586020604051338152a1005b3461021e575f60031936011261021e5760206040517f6666bf5bfee463d10a7fc50448047f8a53b7762d7e28fbc5c643182785f3fd3f8152f35b3461021e575f60031936011261021e57602060405160028152f35b3461021e575f60031936011261021e57602060405160038152f35b3461021e575f60031936011261021e57602060ff600154166040519015158152f35b3461021e57604060031936011261021e576116d8611ff7565b6024359081151580920361021e57602067ffffffffffffffff7ffca5a23bcba2125d6de24b5f1b74398425479adad201e3792c70a4a07a56ae2e9261171b612258565b6117236124be565b600261172e826124f2565b0180547fffffffffffff00ffffffffffffffffffffffffffffffffffffffffffffffffff79ff000000000000000000000000000000000000000000000000008860c81b1691161790556040519485521692a2005b3461021e57602060031936011261021e5760043561179e612258565b6117a66124be565b805f52600660205260ff60405f205416156117bd57005b805f52600660205260405f20600160ff198254161790557f9dfd6f8e664743e3cfb04596c7edd5eec66fc21ef8aa17e0cd9812f9dec3d3545f80a2005b3461021e57602060031936011261021e5767ffffffffffffffff61181c611ff7565b165f526002602052602061185e60405f206118546001825460801c920154916fffffffffffffffffffffffffffffffff8316906121f0565b9060801c906121f0565b6fffffffffffffffffffffffffffffffff60405191168152f35b3461021e57602060031936011261021e5767ffffffffffffffff61189a611ff7565b6118a2612258565b6118aa6124be565b16805f526002602052600260405f2001805460ff8160c01c1661192d577fffffffffffff0000ffffffffffffffffffffffffffffffffffffffffffffffff167901010000000000000000000000000000000000000000000000001790557f80fba26ea8e3068ff166c2f5d7ce14866858aab0f9eb54e05c424ba40dc8dab95f80a2005b827fc1d908e0000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b3461021e575f60031936011261021e57602060405160048152f35b3461021e575f60031936011261021e5761198c6122e0565b60015460ff8116156119cb5760ff19166001557f5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa6020604051338152a1005b7f8dfc202b000000000000000000000000000000000000000000000000000000005f5260045ffd5b3461021e57604060031936011261021e57611a0c61203f565b3373ffffffffffffffffffffffffffffffffffffffff821603611a35576106ee906004356125fc565b7f6697b232000000000000000000000000000000000000000000000000000000005f5260045ffd5b3461021e57604060031936011261021e576106ee600435611a7c61203f565b90611a956106e4825f525f602052600160405f20015490565b612548565b3461021e575f60031936011261021e57602060405160058152f35b3461021e57602060031936011261021e576020611adf6004355f525f602052600160405f20015490565b604051908152f35b3461021e57608060031936011261021e57611b00611ff7565b6024359063ffffffff821680830361021e5760443567ffffffffffffffff811161021e57611b3290369060040161200e565b9360643567ffffffffffffffff811161021e57611b5390369060040161200e565b919093611b5e612258565b611b666124be565b828703611efa578015611ed257611b7c866124f2565b94600286019760ff895460c81c1615611e9c575f959395505f9567ffffffffffffffff5f991695865f52600360205260405f20927bffffffff0000000000000000000000000000000000000000000000005f9360c01b16925b818110611d00578c8c8c6fffffffffffffffffffffffffffffffff8d8d611c0484548060801c948591166121b1565b90818311611ccf575050611c2f92916fffffffffffffffffffffffffffffffff610c7a9216906121be565b67ffffffffffffffff8254911667ffffffffffffffff8260801c160167ffffffffffffffff8111611ca25777ffffffffffffffff000000000000000000000000000000007fffffffffffffffff0000000000000000ffffffffffffffffffffffffffffffff9160801b1691161790555f80f35b7f4e487b71000000000000000000000000000000000000000000000000000000005f52601160045260245ffd5b7f36fff16e000000000000000000000000000000000000000000000000000000005f5260045260245260445260645ffd5b611d0b81838a61212c565b35611d1f611d1a83868a61212c565b612169565b9a815f528660205260405f20546fffffffffffffffffffffffffffffffff63ffffffff8260c01c169d169c8d15611e5d578a811015611e1e5715611df0575b918b7f6e0a7efd79cdba3f33b3e820376b1cfd48ecb96f88fa43603d98cf84622fd68c60208f808e968d8d8a7fffffffff00000000ffffffffffffffff00000000000000000000000000000000611dcd611de19760019f9e6fffffffffffffffffffffffffffffffff166121a4565b9116171790885f52855260405f20556121a4565b9f604051908152a45b01611bd5565b9092919b9d67ffffffffffffffff169b67ffffffffffffffff8d14611ca2576001909c019d9b919290611d5e565b50509a600192918b7f0a0097702c3b6146d04453e5488a5c034326360e240347788341abbf92dcd25360408c94815190815260076020820152a4611dea565b50509a600192918b7f0a0097702c3b6146d04453e5488a5c034326360e240347788341abbf92dcd25360408c94815190815260066020820152a4611dea565b67ffffffffffffffff887f382d4693000000000000000000000000000000000000000000000000000000005f521660045260245ffd5b7f9b8febfe000000000000000000000000000000000000000000000000000000005f5260045ffd5b82877fab8b67c6000000000000000000000000000000000000000000000000000000005f5260045260245260445ffd5b3461021e57602060031936011261021e576004355f526006602052602060ff60405f2054166040519015158152f35b3461021e57602060031936011261021e57600435907fffffffff00000000000000000000000000000000000000000000000000000000821680920361021e57817f7965db0b0000000000000000000000000000000000000000000000000000000060209314908115611fcd575b5015158152f35b7f01ffc9a70000000000000000000000000000000000000000000000000000000091501483611fc6565b6004359067ffffffffffffffff8216820361021e57565b9181601f8401121561021e5782359167ffffffffffffffff831161021e576020808501948460051b01011161021e57565b6024359073ffffffffffffffffffffffffffffffffffffffff8216820361021e57565b6044359073ffffffffffffffffffffffffffffffffffffffff8216820361021e57565b6004359073ffffffffffffffffffffffffffffffffffffffff8216820361021e57565b606435906fffffffffffffffffffffffffffffffff8216820361021e57565b600319608091011261021e5760043567ffffffffffffffff8116810361021e579060243573ffffffffffffffffffffffffffffffffffffffff8116810361021e57906044356fffffffffffffffffffffffffffffffff8116810361021e579060643590565b919081101561213c5760051b0190565b7f4e487b71000000000000000000000000000000000000000000000000000000005f52603260045260245ffd5b356fffffffffffffffffffffffffffffffff8116810361021e5790565b907001000000000000000000000000000000008201809211611ca257565b91908201809211611ca257565b91908203918211611ca257565b906fffffffffffffffffffffffffffffffff809116911601906fffffffffffffffffffffffffffffffff8211611ca257565b906fffffffffffffffffffffffffffffffff809116911603906fffffffffffffffffffffffffffffffff8211611ca257565b3567ffffffffffffffff8116810361021e5790565b3573ffffffffffffffffffffffffffffffffffffffff8116810361021e5790565b335f9081527f78b79ecbdc2a9fecffcaeb519474f496f9b67f75badd64e87649f3b8005e7084602052604090205460ff161561229057565b7fe2517d3f000000000000000000000000000000000000000000000000000000005f52336004527f104852406e94df2c5112860c28c2d2e43c02e322bc0cf95e2d0159faf296d7fb60245260445ffd5b335f9081527fad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5602052604090205460ff161561231857565b7fe2517d3f000000000000000000000000000000000000000000000000000000005f52336004525f60245260445ffd5b335f9081527fee57cd81e84075558e8fcc182a1f4393f91fc97f963a136e66b7f949a62f319f602052604090205460ff161561238057565b7fe2517d3f000000000000000000000000000000000000000000000000000000005f52336004527f97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b92960245260445ffd5b335f9081527fa5c179faa98d86951875f38e98a405912d7f90d5dfc4d9d9c0ab0ae0d8aa85a0602052604090205460ff161561240857565b7fe2517d3f000000000000000000000000000000000000000000000000000000005f52336004527f6666bf5bfee463d10a7fc50448047f8a53b7762d7e28fbc5c643182785f3fd3f60245260445ffd5b805f525f60205260405f2073ffffffffffffffffffffffffffffffffffffffff33165f5260205260ff60405f2054161561248f5750565b7fe2517d3f000000000000000000000000000000000000000000000000000000005f523360045260245260445ffd5b60ff600154166124ca57565b7fd93c0665000000000000000000000000000000000000000000000000000000005f5260045ffd5b67ffffffffffffffff1690815f52600260205260405f209160ff600284015460c01c161561251d5750565b7f79afd9f2000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b805f525f60205260405f2073ffffffffffffffffffffffffffffffffffffffff83165f5260205260ff60405f205416155f146125f657805f525f60205260405f2073ffffffffffffffffffffffffffffffffffffffff83165f5260205260405f20600160ff1982541617905573ffffffffffffffffffffffffffffffffffffffff339216907f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d5f80a4600190565b50505f90565b805f525f60205260405f2073ffffffffffffffffffffffffffffffffffffffff83165f5260205260ff60405f2054165f146125f657805f525f60205260405f2073ffffffffffffffffffffffffffffffffffffffff83165f5260205260405f2060ff19815416905573ffffffffffffffffffffffffffffffffffffffff339216907ff6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b5f80a4600190565b9290916fffffffffffffffffffffffffffffffff1680156106845767ffffffffffffffff6126d3856124f2565b94165f52600460205260405f2073ffffffffffffffffffffffffffffffffffffffff84165f5260205260405f2054926fffffffffffffffffffffffffffffffff6127228560801c8287166121f0565b169081831161273057505050565b73ffffffffffffffffffffffffffffffffffffffff907f8c7940f9000000000000000000000000000000000000000000000000000000005f521660045260245260445260645ffdfea164736f6c6343000825000aad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5",
}

// AidLedger is an auto generated Go binding around an Ethereum contract.
type AidLedger struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *AidLedger) GetABI() abi.ABI {
	return c.abi
}

// NewAidLedger creates a new instance of AidLedger.
func NewAidLedger() *AidLedger {
	parsed, err := AidLedgerMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &AidLedger{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *AidLedger) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address admin) returns()
func (aidLedger *AidLedger) PackConstructor(admin common.Address) []byte {
	enc, err := aidLedger.abi.Pack("", admin)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) PackDEFAULTADMINROLE() []byte {
	enc, err := aidLedger.abi.Pack("DEFAULT_ADMIN_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) TryPackDEFAULTADMINROLE() ([]byte, error) {
	return aidLedger.abi.Pack("DEFAULT_ADMIN_ROLE")
}

// UnpackDEFAULTADMINROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa217fddf.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) UnpackDEFAULTADMINROLE(data []byte) ([32]byte, error) {
	out, err := aidLedger.abi.Unpack("DEFAULT_ADMIN_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackOPERATORROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf5b541a6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function OPERATOR_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) PackOPERATORROLE() []byte {
	enc, err := aidLedger.abi.Pack("OPERATOR_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOPERATORROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf5b541a6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function OPERATOR_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) TryPackOPERATORROLE() ([]byte, error) {
	return aidLedger.abi.Pack("OPERATOR_ROLE")
}

// UnpackOPERATORROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf5b541a6.
//
// Solidity: function OPERATOR_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) UnpackOPERATORROLE(data []byte) ([32]byte, error) {
	out, err := aidLedger.abi.Unpack("OPERATOR_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackPROGRAMMANAGERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe9d8c381.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function PROGRAM_MANAGER_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) PackPROGRAMMANAGERROLE() []byte {
	enc, err := aidLedger.abi.Pack("PROGRAM_MANAGER_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPROGRAMMANAGERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe9d8c381.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function PROGRAM_MANAGER_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) TryPackPROGRAMMANAGERROLE() ([]byte, error) {
	return aidLedger.abi.Pack("PROGRAM_MANAGER_ROLE")
}

// UnpackPROGRAMMANAGERROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe9d8c381.
//
// Solidity: function PROGRAM_MANAGER_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) UnpackPROGRAMMANAGERROLE(data []byte) ([32]byte, error) {
	out, err := aidLedger.abi.Unpack("PROGRAM_MANAGER_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackREASONBENEFICIARYSUSPENDED is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x65cd4bc8.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function REASON_BENEFICIARY_SUSPENDED() view returns(uint8)
func (aidLedger *AidLedger) PackREASONBENEFICIARYSUSPENDED() []byte {
	enc, err := aidLedger.abi.Pack("REASON_BENEFICIARY_SUSPENDED")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackREASONBENEFICIARYSUSPENDED is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x65cd4bc8.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function REASON_BENEFICIARY_SUSPENDED() view returns(uint8)
func (aidLedger *AidLedger) TryPackREASONBENEFICIARYSUSPENDED() ([]byte, error) {
	return aidLedger.abi.Pack("REASON_BENEFICIARY_SUSPENDED")
}

// UnpackREASONBENEFICIARYSUSPENDED is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x65cd4bc8.
//
// Solidity: function REASON_BENEFICIARY_SUSPENDED() view returns(uint8)
func (aidLedger *AidLedger) UnpackREASONBENEFICIARYSUSPENDED(data []byte) (uint8, error) {
	out, err := aidLedger.abi.Unpack("REASON_BENEFICIARY_SUSPENDED", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackREASONINSUFFICIENTBALANCE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2aac2282.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function REASON_INSUFFICIENT_BALANCE() view returns(uint8)
func (aidLedger *AidLedger) PackREASONINSUFFICIENTBALANCE() []byte {
	enc, err := aidLedger.abi.Pack("REASON_INSUFFICIENT_BALANCE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackREASONINSUFFICIENTBALANCE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2aac2282.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function REASON_INSUFFICIENT_BALANCE() view returns(uint8)
func (aidLedger *AidLedger) TryPackREASONINSUFFICIENTBALANCE() ([]byte, error) {
	return aidLedger.abi.Pack("REASON_INSUFFICIENT_BALANCE")
}

// UnpackREASONINSUFFICIENTBALANCE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x2aac2282.
//
// Solidity: function REASON_INSUFFICIENT_BALANCE() view returns(uint8)
func (aidLedger *AidLedger) UnpackREASONINSUFFICIENTBALANCE(data []byte) (uint8, error) {
	out, err := aidLedger.abi.Unpack("REASON_INSUFFICIENT_BALANCE", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackREASONPROGRAMINACTIVE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe6942d05.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function REASON_PROGRAM_INACTIVE() view returns(uint8)
func (aidLedger *AidLedger) PackREASONPROGRAMINACTIVE() []byte {
	enc, err := aidLedger.abi.Pack("REASON_PROGRAM_INACTIVE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackREASONPROGRAMINACTIVE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe6942d05.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function REASON_PROGRAM_INACTIVE() view returns(uint8)
func (aidLedger *AidLedger) TryPackREASONPROGRAMINACTIVE() ([]byte, error) {
	return aidLedger.abi.Pack("REASON_PROGRAM_INACTIVE")
}

// UnpackREASONPROGRAMINACTIVE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe6942d05.
//
// Solidity: function REASON_PROGRAM_INACTIVE() view returns(uint8)
func (aidLedger *AidLedger) UnpackREASONPROGRAMINACTIVE(data []byte) (uint8, error) {
	out, err := aidLedger.abi.Unpack("REASON_PROGRAM_INACTIVE", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackREASONSEQUENCEMISMATCH is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x404532e4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function REASON_SEQUENCE_MISMATCH() view returns(uint8)
func (aidLedger *AidLedger) PackREASONSEQUENCEMISMATCH() []byte {
	enc, err := aidLedger.abi.Pack("REASON_SEQUENCE_MISMATCH")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackREASONSEQUENCEMISMATCH is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x404532e4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function REASON_SEQUENCE_MISMATCH() view returns(uint8)
func (aidLedger *AidLedger) TryPackREASONSEQUENCEMISMATCH() ([]byte, error) {
	return aidLedger.abi.Pack("REASON_SEQUENCE_MISMATCH")
}

// UnpackREASONSEQUENCEMISMATCH is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x404532e4.
//
// Solidity: function REASON_SEQUENCE_MISMATCH() view returns(uint8)
func (aidLedger *AidLedger) UnpackREASONSEQUENCEMISMATCH(data []byte) (uint8, error) {
	out, err := aidLedger.abi.Unpack("REASON_SEQUENCE_MISMATCH", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackREASONSTALECYCLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xecbbec35.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function REASON_STALE_CYCLE() view returns(uint8)
func (aidLedger *AidLedger) PackREASONSTALECYCLE() []byte {
	enc, err := aidLedger.abi.Pack("REASON_STALE_CYCLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackREASONSTALECYCLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xecbbec35.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function REASON_STALE_CYCLE() view returns(uint8)
func (aidLedger *AidLedger) TryPackREASONSTALECYCLE() ([]byte, error) {
	return aidLedger.abi.Pack("REASON_STALE_CYCLE")
}

// UnpackREASONSTALECYCLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xecbbec35.
//
// Solidity: function REASON_STALE_CYCLE() view returns(uint8)
func (aidLedger *AidLedger) UnpackREASONSTALECYCLE(data []byte) (uint8, error) {
	out, err := aidLedger.abi.Unpack("REASON_STALE_CYCLE", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackREASONVENDORNOTAPPROVED is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6bfc0a0b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function REASON_VENDOR_NOT_APPROVED() view returns(uint8)
func (aidLedger *AidLedger) PackREASONVENDORNOTAPPROVED() []byte {
	enc, err := aidLedger.abi.Pack("REASON_VENDOR_NOT_APPROVED")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackREASONVENDORNOTAPPROVED is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6bfc0a0b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function REASON_VENDOR_NOT_APPROVED() view returns(uint8)
func (aidLedger *AidLedger) TryPackREASONVENDORNOTAPPROVED() ([]byte, error) {
	return aidLedger.abi.Pack("REASON_VENDOR_NOT_APPROVED")
}

// UnpackREASONVENDORNOTAPPROVED is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x6bfc0a0b.
//
// Solidity: function REASON_VENDOR_NOT_APPROVED() view returns(uint8)
func (aidLedger *AidLedger) UnpackREASONVENDORNOTAPPROVED(data []byte) (uint8, error) {
	out, err := aidLedger.abi.Unpack("REASON_VENDOR_NOT_APPROVED", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackREASONZEROAMOUNT is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc6c32576.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function REASON_ZERO_AMOUNT() view returns(uint8)
func (aidLedger *AidLedger) PackREASONZEROAMOUNT() []byte {
	enc, err := aidLedger.abi.Pack("REASON_ZERO_AMOUNT")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackREASONZEROAMOUNT is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc6c32576.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function REASON_ZERO_AMOUNT() view returns(uint8)
func (aidLedger *AidLedger) TryPackREASONZEROAMOUNT() ([]byte, error) {
	return aidLedger.abi.Pack("REASON_ZERO_AMOUNT")
}

// UnpackREASONZEROAMOUNT is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xc6c32576.
//
// Solidity: function REASON_ZERO_AMOUNT() view returns(uint8)
func (aidLedger *AidLedger) UnpackREASONZEROAMOUNT(data []byte) (uint8, error) {
	out, err := aidLedger.abi.Unpack("REASON_ZERO_AMOUNT", data)
	if err != nil {
		return *new(uint8), err
	}
	out0 := *abi.ConvertType(out[0], new(uint8)).(*uint8)
	return out0, nil
}

// PackSETTLERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7445e85c.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function SETTLER_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) PackSETTLERROLE() []byte {
	enc, err := aidLedger.abi.Pack("SETTLER_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSETTLERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7445e85c.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function SETTLER_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) TryPackSETTLERROLE() ([]byte, error) {
	return aidLedger.abi.Pack("SETTLER_ROLE")
}

// UnpackSETTLERROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x7445e85c.
//
// Solidity: function SETTLER_ROLE() view returns(bytes32)
func (aidLedger *AidLedger) UnpackSETTLERROLE(data []byte) ([32]byte, error) {
	out, err := aidLedger.abi.Unpack("SETTLER_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackAllocate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x1fa3922a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function allocate(uint64 programId, uint32 cycle, bytes32[] ids, uint128[] amounts) returns()
func (aidLedger *AidLedger) PackAllocate(programId uint64, cycle uint32, ids [][32]byte, amounts []*big.Int) []byte {
	enc, err := aidLedger.abi.Pack("allocate", programId, cycle, ids, amounts)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAllocate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x1fa3922a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function allocate(uint64 programId, uint32 cycle, bytes32[] ids, uint128[] amounts) returns()
func (aidLedger *AidLedger) TryPackAllocate(programId uint64, cycle uint32, ids [][32]byte, amounts []*big.Int) ([]byte, error) {
	return aidLedger.abi.Pack("allocate", programId, cycle, ids, amounts)
}

// PackApproveVendor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf8a52923.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function approveVendor(address vendor) returns()
func (aidLedger *AidLedger) PackApproveVendor(vendor common.Address) []byte {
	enc, err := aidLedger.abi.Pack("approveVendor", vendor)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackApproveVendor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf8a52923.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function approveVendor(address vendor) returns()
func (aidLedger *AidLedger) TryPackApproveVendor(vendor common.Address) ([]byte, error) {
	return aidLedger.abi.Pack("approveVendor", vendor)
}

// PackCreateProgram is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x456b8109.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function createProgram(uint64 programId) returns()
func (aidLedger *AidLedger) PackCreateProgram(programId uint64) []byte {
	enc, err := aidLedger.abi.Pack("createProgram", programId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackCreateProgram is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x456b8109.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function createProgram(uint64 programId) returns()
func (aidLedger *AidLedger) TryPackCreateProgram(programId uint64) ([]byte, error) {
	return aidLedger.abi.Pack("createProgram", programId)
}

// PackEntitlement is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf2bd1acc.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function entitlement(uint64 programId, bytes32 beneficiary) view returns(uint128 balance, uint64 seq, uint32 lastCycle, bool suspended)
func (aidLedger *AidLedger) PackEntitlement(programId uint64, beneficiary [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("entitlement", programId, beneficiary)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackEntitlement is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf2bd1acc.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function entitlement(uint64 programId, bytes32 beneficiary) view returns(uint128 balance, uint64 seq, uint32 lastCycle, bool suspended)
func (aidLedger *AidLedger) TryPackEntitlement(programId uint64, beneficiary [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("entitlement", programId, beneficiary)
}

// EntitlementOutput serves as a container for the return parameters of contract
// method Entitlement.
type EntitlementOutput struct {
	Balance   *big.Int
	Seq       uint64
	LastCycle uint32
	Suspended bool
}

// UnpackEntitlement is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf2bd1acc.
//
// Solidity: function entitlement(uint64 programId, bytes32 beneficiary) view returns(uint128 balance, uint64 seq, uint32 lastCycle, bool suspended)
func (aidLedger *AidLedger) UnpackEntitlement(data []byte) (EntitlementOutput, error) {
	out, err := aidLedger.abi.Unpack("entitlement", data)
	outstruct := new(EntitlementOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Balance = abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	outstruct.Seq = *abi.ConvertType(out[1], new(uint64)).(*uint64)
	outstruct.LastCycle = *abi.ConvertType(out[2], new(uint32)).(*uint32)
	outstruct.Suspended = *abi.ConvertType(out[3], new(bool)).(*bool)
	return *outstruct, nil
}

// PackExpire is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb622c2af.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function expire(uint64 programId, bytes32[] ids) returns()
func (aidLedger *AidLedger) PackExpire(programId uint64, ids [][32]byte) []byte {
	enc, err := aidLedger.abi.Pack("expire", programId, ids)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackExpire is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb622c2af.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function expire(uint64 programId, bytes32[] ids) returns()
func (aidLedger *AidLedger) TryPackExpire(programId uint64, ids [][32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("expire", programId, ids)
}

// PackFund is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa2392b23.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function fund(uint64 programId, uint128 amount, bytes32 donorRef) returns()
func (aidLedger *AidLedger) PackFund(programId uint64, amount *big.Int, donorRef [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("fund", programId, amount, donorRef)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackFund is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa2392b23.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function fund(uint64 programId, uint128 amount, bytes32 donorRef) returns()
func (aidLedger *AidLedger) TryPackFund(programId uint64, amount *big.Int, donorRef [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("fund", programId, amount, donorRef)
}

// PackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (aidLedger *AidLedger) PackGetRoleAdmin(role [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("getRoleAdmin", role)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (aidLedger *AidLedger) TryPackGetRoleAdmin(role [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("getRoleAdmin", role)
}

// UnpackGetRoleAdmin is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x248a9ca3.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (aidLedger *AidLedger) UnpackGetRoleAdmin(data []byte) ([32]byte, error) {
	out, err := aidLedger.abi.Unpack("getRoleAdmin", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (aidLedger *AidLedger) PackGrantRole(role [32]byte, account common.Address) []byte {
	enc, err := aidLedger.abi.Pack("grantRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (aidLedger *AidLedger) TryPackGrantRole(role [32]byte, account common.Address) ([]byte, error) {
	return aidLedger.abi.Pack("grantRole", role, account)
}

// PackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (aidLedger *AidLedger) PackHasRole(role [32]byte, account common.Address) []byte {
	enc, err := aidLedger.abi.Pack("hasRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (aidLedger *AidLedger) TryPackHasRole(role [32]byte, account common.Address) ([]byte, error) {
	return aidLedger.abi.Pack("hasRole", role, account)
}

// UnpackHasRole is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x91d14854.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (aidLedger *AidLedger) UnpackHasRole(data []byte) (bool, error) {
	out, err := aidLedger.abi.Unpack("hasRole", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackIsSuspended is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0b67cd81.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isSuspended(bytes32 beneficiary) view returns(bool)
func (aidLedger *AidLedger) PackIsSuspended(beneficiary [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("isSuspended", beneficiary)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsSuspended is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x0b67cd81.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isSuspended(bytes32 beneficiary) view returns(bool)
func (aidLedger *AidLedger) TryPackIsSuspended(beneficiary [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("isSuspended", beneficiary)
}

// UnpackIsSuspended is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x0b67cd81.
//
// Solidity: function isSuspended(bytes32 beneficiary) view returns(bool)
func (aidLedger *AidLedger) UnpackIsSuspended(data []byte) (bool, error) {
	out, err := aidLedger.abi.Unpack("isSuspended", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackIsVendorApproved is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfc34d3a6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isVendorApproved(address vendor) view returns(bool)
func (aidLedger *AidLedger) PackIsVendorApproved(vendor common.Address) []byte {
	enc, err := aidLedger.abi.Pack("isVendorApproved", vendor)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsVendorApproved is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfc34d3a6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isVendorApproved(address vendor) view returns(bool)
func (aidLedger *AidLedger) TryPackIsVendorApproved(vendor common.Address) ([]byte, error) {
	return aidLedger.abi.Pack("isVendorApproved", vendor)
}

// UnpackIsVendorApproved is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xfc34d3a6.
//
// Solidity: function isVendorApproved(address vendor) view returns(bool)
func (aidLedger *AidLedger) UnpackIsVendorApproved(data []byte) (bool, error) {
	out, err := aidLedger.abi.Unpack("isVendorApproved", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackOutstanding is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x46509524.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function outstanding(uint64 programId) view returns(uint128)
func (aidLedger *AidLedger) PackOutstanding(programId uint64) []byte {
	enc, err := aidLedger.abi.Pack("outstanding", programId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOutstanding is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x46509524.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function outstanding(uint64 programId) view returns(uint128)
func (aidLedger *AidLedger) TryPackOutstanding(programId uint64) ([]byte, error) {
	return aidLedger.abi.Pack("outstanding", programId)
}

// UnpackOutstanding is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x46509524.
//
// Solidity: function outstanding(uint64 programId) view returns(uint128)
func (aidLedger *AidLedger) UnpackOutstanding(data []byte) (*big.Int, error) {
	out, err := aidLedger.abi.Unpack("outstanding", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackPause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8456cb59.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function pause() returns()
func (aidLedger *AidLedger) PackPause() []byte {
	enc, err := aidLedger.abi.Pack("pause")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8456cb59.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function pause() returns()
func (aidLedger *AidLedger) TryPackPause() ([]byte, error) {
	return aidLedger.abi.Pack("pause")
}

// PackPaused is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c975abb.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function paused() view returns(bool)
func (aidLedger *AidLedger) PackPaused() []byte {
	enc, err := aidLedger.abi.Pack("paused")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPaused is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c975abb.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function paused() view returns(bool)
func (aidLedger *AidLedger) TryPackPaused() ([]byte, error) {
	return aidLedger.abi.Pack("paused")
}

// UnpackPaused is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x5c975abb.
//
// Solidity: function paused() view returns(bool)
func (aidLedger *AidLedger) UnpackPaused(data []byte) (bool, error) {
	out, err := aidLedger.abi.Unpack("paused", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackProgramTotals is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xca731995.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function programTotals(uint64 programId) view returns(bool exists, bool active, uint128 funded, uint128 allocated, uint128 redeemed, uint128 settled, uint128 expired, uint64 beneficiaries)
func (aidLedger *AidLedger) PackProgramTotals(programId uint64) []byte {
	enc, err := aidLedger.abi.Pack("programTotals", programId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackProgramTotals is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xca731995.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function programTotals(uint64 programId) view returns(bool exists, bool active, uint128 funded, uint128 allocated, uint128 redeemed, uint128 settled, uint128 expired, uint64 beneficiaries)
func (aidLedger *AidLedger) TryPackProgramTotals(programId uint64) ([]byte, error) {
	return aidLedger.abi.Pack("programTotals", programId)
}

// ProgramTotalsOutput serves as a container for the return parameters of contract
// method ProgramTotals.
type ProgramTotalsOutput struct {
	Exists        bool
	Active        bool
	Funded        *big.Int
	Allocated     *big.Int
	Redeemed      *big.Int
	Settled       *big.Int
	Expired       *big.Int
	Beneficiaries uint64
}

// UnpackProgramTotals is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xca731995.
//
// Solidity: function programTotals(uint64 programId) view returns(bool exists, bool active, uint128 funded, uint128 allocated, uint128 redeemed, uint128 settled, uint128 expired, uint64 beneficiaries)
func (aidLedger *AidLedger) UnpackProgramTotals(data []byte) (ProgramTotalsOutput, error) {
	out, err := aidLedger.abi.Unpack("programTotals", data)
	outstruct := new(ProgramTotalsOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Exists = *abi.ConvertType(out[0], new(bool)).(*bool)
	outstruct.Active = *abi.ConvertType(out[1], new(bool)).(*bool)
	outstruct.Funded = abi.ConvertType(out[2], new(big.Int)).(*big.Int)
	outstruct.Allocated = abi.ConvertType(out[3], new(big.Int)).(*big.Int)
	outstruct.Redeemed = abi.ConvertType(out[4], new(big.Int)).(*big.Int)
	outstruct.Settled = abi.ConvertType(out[5], new(big.Int)).(*big.Int)
	outstruct.Expired = abi.ConvertType(out[6], new(big.Int)).(*big.Int)
	outstruct.Beneficiaries = *abi.ConvertType(out[7], new(uint64)).(*uint64)
	return *outstruct, nil
}

// PackRedeem is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd1bf0aaf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function redeem(uint64 programId, bytes32 beneficiary, address vendor, uint128 amount, uint64 seq, bytes32 ref) returns()
func (aidLedger *AidLedger) PackRedeem(programId uint64, beneficiary [32]byte, vendor common.Address, amount *big.Int, seq uint64, ref [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("redeem", programId, beneficiary, vendor, amount, seq, ref)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRedeem is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd1bf0aaf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function redeem(uint64 programId, bytes32 beneficiary, address vendor, uint128 amount, uint64 seq, bytes32 ref) returns()
func (aidLedger *AidLedger) TryPackRedeem(programId uint64, beneficiary [32]byte, vendor common.Address, amount *big.Int, seq uint64, ref [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("redeem", programId, beneficiary, vendor, amount, seq, ref)
}

// PackRedeemBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa2a27fc3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function redeemBatch(uint64 programId, (bytes32,address,uint128,uint64,bytes32)[] items) returns()
func (aidLedger *AidLedger) PackRedeemBatch(programId uint64, items []AidLedgerRedeemItem) []byte {
	enc, err := aidLedger.abi.Pack("redeemBatch", programId, items)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRedeemBatch is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa2a27fc3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function redeemBatch(uint64 programId, (bytes32,address,uint128,uint64,bytes32)[] items) returns()
func (aidLedger *AidLedger) TryPackRedeemBatch(programId uint64, items []AidLedgerRedeemItem) ([]byte, error) {
	return aidLedger.abi.Pack("redeemBatch", programId, items)
}

// PackRefund is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8544d374.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function refund(uint64 programId, bytes32 beneficiary, address vendor, uint128 amount, bytes32 ref) returns()
func (aidLedger *AidLedger) PackRefund(programId uint64, beneficiary [32]byte, vendor common.Address, amount *big.Int, ref [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("refund", programId, beneficiary, vendor, amount, ref)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRefund is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8544d374.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function refund(uint64 programId, bytes32 beneficiary, address vendor, uint128 amount, bytes32 ref) returns()
func (aidLedger *AidLedger) TryPackRefund(programId uint64, beneficiary [32]byte, vendor common.Address, amount *big.Int, ref [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("refund", programId, beneficiary, vendor, amount, ref)
}

// PackReinstateBeneficiary is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb6360ba3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function reinstateBeneficiary(bytes32 id) returns()
func (aidLedger *AidLedger) PackReinstateBeneficiary(id [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("reinstateBeneficiary", id)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReinstateBeneficiary is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb6360ba3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function reinstateBeneficiary(bytes32 id) returns()
func (aidLedger *AidLedger) TryPackReinstateBeneficiary(id [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("reinstateBeneficiary", id)
}

// PackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (aidLedger *AidLedger) PackRenounceRole(role [32]byte, callerConfirmation common.Address) []byte {
	enc, err := aidLedger.abi.Pack("renounceRole", role, callerConfirmation)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (aidLedger *AidLedger) TryPackRenounceRole(role [32]byte, callerConfirmation common.Address) ([]byte, error) {
	return aidLedger.abi.Pack("renounceRole", role, callerConfirmation)
}

// PackReverseSettlement is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe23965f0.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function reverseSettlement(uint64 programId, address vendor, uint128 amount, bytes32 ref) returns()
func (aidLedger *AidLedger) PackReverseSettlement(programId uint64, vendor common.Address, amount *big.Int, ref [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("reverseSettlement", programId, vendor, amount, ref)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReverseSettlement is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe23965f0.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function reverseSettlement(uint64 programId, address vendor, uint128 amount, bytes32 ref) returns()
func (aidLedger *AidLedger) TryPackReverseSettlement(programId uint64, vendor common.Address, amount *big.Int, ref [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("reverseSettlement", programId, vendor, amount, ref)
}

// PackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (aidLedger *AidLedger) PackRevokeRole(role [32]byte, account common.Address) []byte {
	enc, err := aidLedger.abi.Pack("revokeRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (aidLedger *AidLedger) TryPackRevokeRole(role [32]byte, account common.Address) ([]byte, error) {
	return aidLedger.abi.Pack("revokeRole", role, account)
}

// PackRevokeVendor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc789e605.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeVendor(address vendor) returns()
func (aidLedger *AidLedger) PackRevokeVendor(vendor common.Address) []byte {
	enc, err := aidLedger.abi.Pack("revokeVendor", vendor)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeVendor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xc789e605.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeVendor(address vendor) returns()
func (aidLedger *AidLedger) TryPackRevokeVendor(vendor common.Address) ([]byte, error) {
	return aidLedger.abi.Pack("revokeVendor", vendor)
}

// PackSetProgramActive is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x53ac30ea.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setProgramActive(uint64 programId, bool active) returns()
func (aidLedger *AidLedger) PackSetProgramActive(programId uint64, active bool) []byte {
	enc, err := aidLedger.abi.Pack("setProgramActive", programId, active)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetProgramActive is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x53ac30ea.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setProgramActive(uint64 programId, bool active) returns()
func (aidLedger *AidLedger) TryPackSetProgramActive(programId uint64, active bool) ([]byte, error) {
	return aidLedger.abi.Pack("setProgramActive", programId, active)
}

// PackSettle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb2857e8a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function settle(uint64 programId, address vendor, uint128 amount, bytes32 ref) returns()
func (aidLedger *AidLedger) PackSettle(programId uint64, vendor common.Address, amount *big.Int, ref [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("settle", programId, vendor, amount, ref)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSettle is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb2857e8a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function settle(uint64 programId, address vendor, uint128 amount, bytes32 ref) returns()
func (aidLedger *AidLedger) TryPackSettle(programId uint64, vendor common.Address, amount *big.Int, ref [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("settle", programId, vendor, amount, ref)
}

// PackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (aidLedger *AidLedger) PackSupportsInterface(interfaceId [4]byte) []byte {
	enc, err := aidLedger.abi.Pack("supportsInterface", interfaceId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (aidLedger *AidLedger) TryPackSupportsInterface(interfaceId [4]byte) ([]byte, error) {
	return aidLedger.abi.Pack("supportsInterface", interfaceId)
}

// UnpackSupportsInterface is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x01ffc9a7.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (aidLedger *AidLedger) UnpackSupportsInterface(data []byte) (bool, error) {
	out, err := aidLedger.abi.Unpack("supportsInterface", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackSuspendBeneficiary is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4732506a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function suspendBeneficiary(bytes32 id) returns()
func (aidLedger *AidLedger) PackSuspendBeneficiary(id [32]byte) []byte {
	enc, err := aidLedger.abi.Pack("suspendBeneficiary", id)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSuspendBeneficiary is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4732506a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function suspendBeneficiary(bytes32 id) returns()
func (aidLedger *AidLedger) TryPackSuspendBeneficiary(id [32]byte) ([]byte, error) {
	return aidLedger.abi.Pack("suspendBeneficiary", id)
}

// PackUnpause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3f4ba83a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function unpause() returns()
func (aidLedger *AidLedger) PackUnpause() []byte {
	enc, err := aidLedger.abi.Pack("unpause")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackUnpause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3f4ba83a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function unpause() returns()
func (aidLedger *AidLedger) TryPackUnpause() ([]byte, error) {
	return aidLedger.abi.Pack("unpause")
}

// PackVendorPosition is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf557d1a5.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function vendorPosition(uint64 programId, address vendor) view returns(bool approved, uint128 redeemed, uint128 settled, uint128 unsettled)
func (aidLedger *AidLedger) PackVendorPosition(programId uint64, vendor common.Address) []byte {
	enc, err := aidLedger.abi.Pack("vendorPosition", programId, vendor)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackVendorPosition is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf557d1a5.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function vendorPosition(uint64 programId, address vendor) view returns(bool approved, uint128 redeemed, uint128 settled, uint128 unsettled)
func (aidLedger *AidLedger) TryPackVendorPosition(programId uint64, vendor common.Address) ([]byte, error) {
	return aidLedger.abi.Pack("vendorPosition", programId, vendor)
}

// VendorPositionOutput serves as a container for the return parameters of contract
// method VendorPosition.
type VendorPositionOutput struct {
	Approved  bool
	Redeemed  *big.Int
	Settled   *big.Int
	Unsettled *big.Int
}

// UnpackVendorPosition is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf557d1a5.
//
// Solidity: function vendorPosition(uint64 programId, address vendor) view returns(bool approved, uint128 redeemed, uint128 settled, uint128 unsettled)
func (aidLedger *AidLedger) UnpackVendorPosition(data []byte) (VendorPositionOutput, error) {
	out, err := aidLedger.abi.Unpack("vendorPosition", data)
	outstruct := new(VendorPositionOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Approved = *abi.ConvertType(out[0], new(bool)).(*bool)
	outstruct.Redeemed = abi.ConvertType(out[1], new(big.Int)).(*big.Int)
	outstruct.Settled = abi.ConvertType(out[2], new(big.Int)).(*big.Int)
	outstruct.Unsettled = abi.ConvertType(out[3], new(big.Int)).(*big.Int)
	return *outstruct, nil
}

// AidLedgerAllocated represents a Allocated event raised by the AidLedger contract.
type AidLedgerAllocated struct {
	ProgramId   uint64
	Beneficiary [32]byte
	Cycle       uint32
	Amount      *big.Int
	Raw         *types.Log // Blockchain specific contextual infos
}

const AidLedgerAllocatedEventName = "Allocated"

// ContractEventName returns the user-defined event name.
func (AidLedgerAllocated) ContractEventName() string {
	return AidLedgerAllocatedEventName
}

// UnpackAllocatedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Allocated(uint64 indexed programId, bytes32 indexed beneficiary, uint32 indexed cycle, uint128 amount)
func (aidLedger *AidLedger) UnpackAllocatedEvent(log *types.Log) (*AidLedgerAllocated, error) {
	event := "Allocated"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerAllocated)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerAllocationRejected represents a AllocationRejected event raised by the AidLedger contract.
type AidLedgerAllocationRejected struct {
	ProgramId   uint64
	Beneficiary [32]byte
	Cycle       uint32
	Amount      *big.Int
	Reason      uint8
	Raw         *types.Log // Blockchain specific contextual infos
}

const AidLedgerAllocationRejectedEventName = "AllocationRejected"

// ContractEventName returns the user-defined event name.
func (AidLedgerAllocationRejected) ContractEventName() string {
	return AidLedgerAllocationRejectedEventName
}

// UnpackAllocationRejectedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event AllocationRejected(uint64 indexed programId, bytes32 indexed beneficiary, uint32 indexed cycle, uint128 amount, uint8 reason)
func (aidLedger *AidLedger) UnpackAllocationRejectedEvent(log *types.Log) (*AidLedgerAllocationRejected, error) {
	event := "AllocationRejected"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerAllocationRejected)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerBeneficiaryReinstated represents a BeneficiaryReinstated event raised by the AidLedger contract.
type AidLedgerBeneficiaryReinstated struct {
	Beneficiary [32]byte
	Raw         *types.Log // Blockchain specific contextual infos
}

const AidLedgerBeneficiaryReinstatedEventName = "BeneficiaryReinstated"

// ContractEventName returns the user-defined event name.
func (AidLedgerBeneficiaryReinstated) ContractEventName() string {
	return AidLedgerBeneficiaryReinstatedEventName
}

// UnpackBeneficiaryReinstatedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event BeneficiaryReinstated(bytes32 indexed beneficiary)
func (aidLedger *AidLedger) UnpackBeneficiaryReinstatedEvent(log *types.Log) (*AidLedgerBeneficiaryReinstated, error) {
	event := "BeneficiaryReinstated"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerBeneficiaryReinstated)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerBeneficiarySuspended represents a BeneficiarySuspended event raised by the AidLedger contract.
type AidLedgerBeneficiarySuspended struct {
	Beneficiary [32]byte
	Raw         *types.Log // Blockchain specific contextual infos
}

const AidLedgerBeneficiarySuspendedEventName = "BeneficiarySuspended"

// ContractEventName returns the user-defined event name.
func (AidLedgerBeneficiarySuspended) ContractEventName() string {
	return AidLedgerBeneficiarySuspendedEventName
}

// UnpackBeneficiarySuspendedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event BeneficiarySuspended(bytes32 indexed beneficiary)
func (aidLedger *AidLedger) UnpackBeneficiarySuspendedEvent(log *types.Log) (*AidLedgerBeneficiarySuspended, error) {
	event := "BeneficiarySuspended"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerBeneficiarySuspended)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerExpired represents a Expired event raised by the AidLedger contract.
type AidLedgerExpired struct {
	ProgramId   uint64
	Beneficiary [32]byte
	Amount      *big.Int
	Raw         *types.Log // Blockchain specific contextual infos
}

const AidLedgerExpiredEventName = "Expired"

// ContractEventName returns the user-defined event name.
func (AidLedgerExpired) ContractEventName() string {
	return AidLedgerExpiredEventName
}

// UnpackExpiredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Expired(uint64 indexed programId, bytes32 indexed beneficiary, uint128 amount)
func (aidLedger *AidLedger) UnpackExpiredEvent(log *types.Log) (*AidLedgerExpired, error) {
	event := "Expired"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerExpired)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerFunded represents a Funded event raised by the AidLedger contract.
type AidLedgerFunded struct {
	ProgramId uint64
	DonorRef  [32]byte
	Amount    *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const AidLedgerFundedEventName = "Funded"

// ContractEventName returns the user-defined event name.
func (AidLedgerFunded) ContractEventName() string {
	return AidLedgerFundedEventName
}

// UnpackFundedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Funded(uint64 indexed programId, bytes32 indexed donorRef, uint128 amount)
func (aidLedger *AidLedger) UnpackFundedEvent(log *types.Log) (*AidLedgerFunded, error) {
	event := "Funded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerFunded)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerPaused represents a Paused event raised by the AidLedger contract.
type AidLedgerPaused struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const AidLedgerPausedEventName = "Paused"

// ContractEventName returns the user-defined event name.
func (AidLedgerPaused) ContractEventName() string {
	return AidLedgerPausedEventName
}

// UnpackPausedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Paused(address account)
func (aidLedger *AidLedger) UnpackPausedEvent(log *types.Log) (*AidLedgerPaused, error) {
	event := "Paused"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerPaused)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerProgramCreated represents a ProgramCreated event raised by the AidLedger contract.
type AidLedgerProgramCreated struct {
	ProgramId uint64
	Raw       *types.Log // Blockchain specific contextual infos
}

const AidLedgerProgramCreatedEventName = "ProgramCreated"

// ContractEventName returns the user-defined event name.
func (AidLedgerProgramCreated) ContractEventName() string {
	return AidLedgerProgramCreatedEventName
}

// UnpackProgramCreatedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event ProgramCreated(uint64 indexed programId)
func (aidLedger *AidLedger) UnpackProgramCreatedEvent(log *types.Log) (*AidLedgerProgramCreated, error) {
	event := "ProgramCreated"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerProgramCreated)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerProgramStatusChanged represents a ProgramStatusChanged event raised by the AidLedger contract.
type AidLedgerProgramStatusChanged struct {
	ProgramId uint64
	Active    bool
	Raw       *types.Log // Blockchain specific contextual infos
}

const AidLedgerProgramStatusChangedEventName = "ProgramStatusChanged"

// ContractEventName returns the user-defined event name.
func (AidLedgerProgramStatusChanged) ContractEventName() string {
	return AidLedgerProgramStatusChangedEventName
}

// UnpackProgramStatusChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event ProgramStatusChanged(uint64 indexed programId, bool active)
func (aidLedger *AidLedger) UnpackProgramStatusChangedEvent(log *types.Log) (*AidLedgerProgramStatusChanged, error) {
	event := "ProgramStatusChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerProgramStatusChanged)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerRedeemed represents a Redeemed event raised by the AidLedger contract.
type AidLedgerRedeemed struct {
	ProgramId   uint64
	Beneficiary [32]byte
	Vendor      common.Address
	Amount      *big.Int
	Seq         uint64
	Ref         [32]byte
	Raw         *types.Log // Blockchain specific contextual infos
}

const AidLedgerRedeemedEventName = "Redeemed"

// ContractEventName returns the user-defined event name.
func (AidLedgerRedeemed) ContractEventName() string {
	return AidLedgerRedeemedEventName
}

// UnpackRedeemedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Redeemed(uint64 indexed programId, bytes32 indexed beneficiary, address indexed vendor, uint128 amount, uint64 seq, bytes32 ref)
func (aidLedger *AidLedger) UnpackRedeemedEvent(log *types.Log) (*AidLedgerRedeemed, error) {
	event := "Redeemed"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerRedeemed)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerRedemptionRejected represents a RedemptionRejected event raised by the AidLedger contract.
type AidLedgerRedemptionRejected struct {
	ProgramId   uint64
	Beneficiary [32]byte
	Vendor      common.Address
	Amount      *big.Int
	Seq         uint64
	Ref         [32]byte
	Reason      uint8
	Raw         *types.Log // Blockchain specific contextual infos
}

const AidLedgerRedemptionRejectedEventName = "RedemptionRejected"

// ContractEventName returns the user-defined event name.
func (AidLedgerRedemptionRejected) ContractEventName() string {
	return AidLedgerRedemptionRejectedEventName
}

// UnpackRedemptionRejectedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RedemptionRejected(uint64 indexed programId, bytes32 indexed beneficiary, address indexed vendor, uint128 amount, uint64 seq, bytes32 ref, uint8 reason)
func (aidLedger *AidLedger) UnpackRedemptionRejectedEvent(log *types.Log) (*AidLedgerRedemptionRejected, error) {
	event := "RedemptionRejected"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerRedemptionRejected)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerRefunded represents a Refunded event raised by the AidLedger contract.
type AidLedgerRefunded struct {
	ProgramId   uint64
	Beneficiary [32]byte
	Vendor      common.Address
	Amount      *big.Int
	Ref         [32]byte
	Raw         *types.Log // Blockchain specific contextual infos
}

const AidLedgerRefundedEventName = "Refunded"

// ContractEventName returns the user-defined event name.
func (AidLedgerRefunded) ContractEventName() string {
	return AidLedgerRefundedEventName
}

// UnpackRefundedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Refunded(uint64 indexed programId, bytes32 indexed beneficiary, address indexed vendor, uint128 amount, bytes32 ref)
func (aidLedger *AidLedger) UnpackRefundedEvent(log *types.Log) (*AidLedgerRefunded, error) {
	event := "Refunded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerRefunded)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerRoleAdminChanged represents a RoleAdminChanged event raised by the AidLedger contract.
type AidLedgerRoleAdminChanged struct {
	Role              [32]byte
	PreviousAdminRole [32]byte
	NewAdminRole      [32]byte
	Raw               *types.Log // Blockchain specific contextual infos
}

const AidLedgerRoleAdminChangedEventName = "RoleAdminChanged"

// ContractEventName returns the user-defined event name.
func (AidLedgerRoleAdminChanged) ContractEventName() string {
	return AidLedgerRoleAdminChangedEventName
}

// UnpackRoleAdminChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)
func (aidLedger *AidLedger) UnpackRoleAdminChangedEvent(log *types.Log) (*AidLedgerRoleAdminChanged, error) {
	event := "RoleAdminChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerRoleAdminChanged)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerRoleGranted represents a RoleGranted event raised by the AidLedger contract.
type AidLedgerRoleGranted struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const AidLedgerRoleGrantedEventName = "RoleGranted"

// ContractEventName returns the user-defined event name.
func (AidLedgerRoleGranted) ContractEventName() string {
	return AidLedgerRoleGrantedEventName
}

// UnpackRoleGrantedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)
func (aidLedger *AidLedger) UnpackRoleGrantedEvent(log *types.Log) (*AidLedgerRoleGranted, error) {
	event := "RoleGranted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerRoleGranted)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerRoleRevoked represents a RoleRevoked event raised by the AidLedger contract.
type AidLedgerRoleRevoked struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const AidLedgerRoleRevokedEventName = "RoleRevoked"

// ContractEventName returns the user-defined event name.
func (AidLedgerRoleRevoked) ContractEventName() string {
	return AidLedgerRoleRevokedEventName
}

// UnpackRoleRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)
func (aidLedger *AidLedger) UnpackRoleRevokedEvent(log *types.Log) (*AidLedgerRoleRevoked, error) {
	event := "RoleRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerRoleRevoked)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerSettled represents a Settled event raised by the AidLedger contract.
type AidLedgerSettled struct {
	ProgramId uint64
	Vendor    common.Address
	Ref       [32]byte
	Amount    *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const AidLedgerSettledEventName = "Settled"

// ContractEventName returns the user-defined event name.
func (AidLedgerSettled) ContractEventName() string {
	return AidLedgerSettledEventName
}

// UnpackSettledEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Settled(uint64 indexed programId, address indexed vendor, bytes32 indexed ref, uint128 amount)
func (aidLedger *AidLedger) UnpackSettledEvent(log *types.Log) (*AidLedgerSettled, error) {
	event := "Settled"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerSettled)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerSettlementReversed represents a SettlementReversed event raised by the AidLedger contract.
type AidLedgerSettlementReversed struct {
	ProgramId uint64
	Vendor    common.Address
	Ref       [32]byte
	Amount    *big.Int
	Raw       *types.Log // Blockchain specific contextual infos
}

const AidLedgerSettlementReversedEventName = "SettlementReversed"

// ContractEventName returns the user-defined event name.
func (AidLedgerSettlementReversed) ContractEventName() string {
	return AidLedgerSettlementReversedEventName
}

// UnpackSettlementReversedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event SettlementReversed(uint64 indexed programId, address indexed vendor, bytes32 indexed ref, uint128 amount)
func (aidLedger *AidLedger) UnpackSettlementReversedEvent(log *types.Log) (*AidLedgerSettlementReversed, error) {
	event := "SettlementReversed"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerSettlementReversed)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerUnpaused represents a Unpaused event raised by the AidLedger contract.
type AidLedgerUnpaused struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const AidLedgerUnpausedEventName = "Unpaused"

// ContractEventName returns the user-defined event name.
func (AidLedgerUnpaused) ContractEventName() string {
	return AidLedgerUnpausedEventName
}

// UnpackUnpausedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Unpaused(address account)
func (aidLedger *AidLedger) UnpackUnpausedEvent(log *types.Log) (*AidLedgerUnpaused, error) {
	event := "Unpaused"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerUnpaused)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerVendorApproved represents a VendorApproved event raised by the AidLedger contract.
type AidLedgerVendorApproved struct {
	Vendor common.Address
	Raw    *types.Log // Blockchain specific contextual infos
}

const AidLedgerVendorApprovedEventName = "VendorApproved"

// ContractEventName returns the user-defined event name.
func (AidLedgerVendorApproved) ContractEventName() string {
	return AidLedgerVendorApprovedEventName
}

// UnpackVendorApprovedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event VendorApproved(address indexed vendor)
func (aidLedger *AidLedger) UnpackVendorApprovedEvent(log *types.Log) (*AidLedgerVendorApproved, error) {
	event := "VendorApproved"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerVendorApproved)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// AidLedgerVendorRevoked represents a VendorRevoked event raised by the AidLedger contract.
type AidLedgerVendorRevoked struct {
	Vendor common.Address
	Raw    *types.Log // Blockchain specific contextual infos
}

const AidLedgerVendorRevokedEventName = "VendorRevoked"

// ContractEventName returns the user-defined event name.
func (AidLedgerVendorRevoked) ContractEventName() string {
	return AidLedgerVendorRevokedEventName
}

// UnpackVendorRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event VendorRevoked(address indexed vendor)
func (aidLedger *AidLedger) UnpackVendorRevokedEvent(log *types.Log) (*AidLedgerVendorRevoked, error) {
	event := "VendorRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != aidLedger.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(AidLedgerVendorRevoked)
	if len(log.Data) > 0 {
		if err := aidLedger.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range aidLedger.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (aidLedger *AidLedger) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["AccessControlBadConfirmation"].ID.Bytes()[:4]) {
		return aidLedger.UnpackAccessControlBadConfirmationError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["AccessControlUnauthorizedAccount"].ID.Bytes()[:4]) {
		return aidLedger.UnpackAccessControlUnauthorizedAccountError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["BeneficiaryIsSuspended"].ID.Bytes()[:4]) {
		return aidLedger.UnpackBeneficiaryIsSuspendedError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["EnforcedPause"].ID.Bytes()[:4]) {
		return aidLedger.UnpackEnforcedPauseError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["ExceedsSettled"].ID.Bytes()[:4]) {
		return aidLedger.UnpackExceedsSettledError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["ExceedsUnsettled"].ID.Bytes()[:4]) {
		return aidLedger.UnpackExceedsUnsettledError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["ExpectedPause"].ID.Bytes()[:4]) {
		return aidLedger.UnpackExpectedPauseError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["InsufficientBalance"].ID.Bytes()[:4]) {
		return aidLedger.UnpackInsufficientBalanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["InsufficientFunds"].ID.Bytes()[:4]) {
		return aidLedger.UnpackInsufficientFundsError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["InvalidCycle"].ID.Bytes()[:4]) {
		return aidLedger.UnpackInvalidCycleError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["LengthMismatch"].ID.Bytes()[:4]) {
		return aidLedger.UnpackLengthMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["ProgramAlreadyExists"].ID.Bytes()[:4]) {
		return aidLedger.UnpackProgramAlreadyExistsError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["ProgramInactive"].ID.Bytes()[:4]) {
		return aidLedger.UnpackProgramInactiveError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["SequenceMismatch"].ID.Bytes()[:4]) {
		return aidLedger.UnpackSequenceMismatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["UnknownProgram"].ID.Bytes()[:4]) {
		return aidLedger.UnpackUnknownProgramError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["VendorNotApproved"].ID.Bytes()[:4]) {
		return aidLedger.UnpackVendorNotApprovedError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["ZeroAddress"].ID.Bytes()[:4]) {
		return aidLedger.UnpackZeroAddressError(raw[4:])
	}
	if bytes.Equal(raw[:4], aidLedger.abi.Errors["ZeroAmount"].ID.Bytes()[:4]) {
		return aidLedger.UnpackZeroAmountError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// AidLedgerAccessControlBadConfirmation represents a AccessControlBadConfirmation error raised by the AidLedger contract.
type AidLedgerAccessControlBadConfirmation struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlBadConfirmation()
func AidLedgerAccessControlBadConfirmationErrorID() common.Hash {
	return common.HexToHash("0x6697b23232a647058342c0724fe7c415cab25915b54e5dbc03f233173d37b41c")
}

// UnpackAccessControlBadConfirmationError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlBadConfirmation()
func (aidLedger *AidLedger) UnpackAccessControlBadConfirmationError(raw []byte) (*AidLedgerAccessControlBadConfirmation, error) {
	out := new(AidLedgerAccessControlBadConfirmation)
	if err := aidLedger.abi.UnpackIntoInterface(out, "AccessControlBadConfirmation", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerAccessControlUnauthorizedAccount represents a AccessControlUnauthorizedAccount error raised by the AidLedger contract.
type AidLedgerAccessControlUnauthorizedAccount struct {
	Account    common.Address
	NeededRole [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func AidLedgerAccessControlUnauthorizedAccountErrorID() common.Hash {
	return common.HexToHash("0xe2517d3fbfae6f8515ef5ff1ccedc3933ab0cbbda0b492c06eb54ad10ef03b3e")
}

// UnpackAccessControlUnauthorizedAccountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func (aidLedger *AidLedger) UnpackAccessControlUnauthorizedAccountError(raw []byte) (*AidLedgerAccessControlUnauthorizedAccount, error) {
	out := new(AidLedgerAccessControlUnauthorizedAccount)
	if err := aidLedger.abi.UnpackIntoInterface(out, "AccessControlUnauthorizedAccount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerBeneficiaryIsSuspended represents a BeneficiaryIsSuspended error raised by the AidLedger contract.
type AidLedgerBeneficiaryIsSuspended struct {
	Beneficiary [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BeneficiaryIsSuspended(bytes32 beneficiary)
func AidLedgerBeneficiaryIsSuspendedErrorID() common.Hash {
	return common.HexToHash("0xfee0b8c28fd0d748e0a809cf147e0dbe50897e65c36693c6930516f737af4184")
}

// UnpackBeneficiaryIsSuspendedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BeneficiaryIsSuspended(bytes32 beneficiary)
func (aidLedger *AidLedger) UnpackBeneficiaryIsSuspendedError(raw []byte) (*AidLedgerBeneficiaryIsSuspended, error) {
	out := new(AidLedgerBeneficiaryIsSuspended)
	if err := aidLedger.abi.UnpackIntoInterface(out, "BeneficiaryIsSuspended", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerEnforcedPause represents a EnforcedPause error raised by the AidLedger contract.
type AidLedgerEnforcedPause struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EnforcedPause()
func AidLedgerEnforcedPauseErrorID() common.Hash {
	return common.HexToHash("0xd93c0665d6c96d04a8f174024fc4ddd66c250604aff22bbec808de86dd3637e3")
}

// UnpackEnforcedPauseError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EnforcedPause()
func (aidLedger *AidLedger) UnpackEnforcedPauseError(raw []byte) (*AidLedgerEnforcedPause, error) {
	out := new(AidLedgerEnforcedPause)
	if err := aidLedger.abi.UnpackIntoInterface(out, "EnforcedPause", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerExceedsSettled represents a ExceedsSettled error raised by the AidLedger contract.
type AidLedgerExceedsSettled struct {
	Vendor    common.Address
	Settled   *big.Int
	Requested *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ExceedsSettled(address vendor, uint128 settled, uint128 requested)
func AidLedgerExceedsSettledErrorID() common.Hash {
	return common.HexToHash("0x23a172afca422cc553f26812b025b03b3a7ac445282fdc4bf298027b6ccec2fe")
}

// UnpackExceedsSettledError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ExceedsSettled(address vendor, uint128 settled, uint128 requested)
func (aidLedger *AidLedger) UnpackExceedsSettledError(raw []byte) (*AidLedgerExceedsSettled, error) {
	out := new(AidLedgerExceedsSettled)
	if err := aidLedger.abi.UnpackIntoInterface(out, "ExceedsSettled", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerExceedsUnsettled represents a ExceedsUnsettled error raised by the AidLedger contract.
type AidLedgerExceedsUnsettled struct {
	Vendor    common.Address
	Unsettled *big.Int
	Requested *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ExceedsUnsettled(address vendor, uint128 unsettled, uint128 requested)
func AidLedgerExceedsUnsettledErrorID() common.Hash {
	return common.HexToHash("0x8c7940f99ddda082562eeecca90b66a7120739e9ed0451c78c46f52312797219")
}

// UnpackExceedsUnsettledError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ExceedsUnsettled(address vendor, uint128 unsettled, uint128 requested)
func (aidLedger *AidLedger) UnpackExceedsUnsettledError(raw []byte) (*AidLedgerExceedsUnsettled, error) {
	out := new(AidLedgerExceedsUnsettled)
	if err := aidLedger.abi.UnpackIntoInterface(out, "ExceedsUnsettled", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerExpectedPause represents a ExpectedPause error raised by the AidLedger contract.
type AidLedgerExpectedPause struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ExpectedPause()
func AidLedgerExpectedPauseErrorID() common.Hash {
	return common.HexToHash("0x8dfc202bcfe9a735b559bee70674422512bc5c30f687046ae8778315fb81da44")
}

// UnpackExpectedPauseError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ExpectedPause()
func (aidLedger *AidLedger) UnpackExpectedPauseError(raw []byte) (*AidLedgerExpectedPause, error) {
	out := new(AidLedgerExpectedPause)
	if err := aidLedger.abi.UnpackIntoInterface(out, "ExpectedPause", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerInsufficientBalance represents a InsufficientBalance error raised by the AidLedger contract.
type AidLedgerInsufficientBalance struct {
	Beneficiary [32]byte
	Balance     *big.Int
	Requested   *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientBalance(bytes32 beneficiary, uint128 balance, uint128 requested)
func AidLedgerInsufficientBalanceErrorID() common.Hash {
	return common.HexToHash("0x6002a988b2611355153c0f0465d58a34eec5553fa0dd4147cced6b57dcafe338")
}

// UnpackInsufficientBalanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientBalance(bytes32 beneficiary, uint128 balance, uint128 requested)
func (aidLedger *AidLedger) UnpackInsufficientBalanceError(raw []byte) (*AidLedgerInsufficientBalance, error) {
	out := new(AidLedgerInsufficientBalance)
	if err := aidLedger.abi.UnpackIntoInterface(out, "InsufficientBalance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerInsufficientFunds represents a InsufficientFunds error raised by the AidLedger contract.
type AidLedgerInsufficientFunds struct {
	ProgramId uint64
	Available *big.Int
	Requested *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientFunds(uint64 programId, uint256 available, uint256 requested)
func AidLedgerInsufficientFundsErrorID() common.Hash {
	return common.HexToHash("0x36fff16ee18b307b81c8c2af3224b56c61f9d6eceff28068ef3a7f978fa7bafa")
}

// UnpackInsufficientFundsError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientFunds(uint64 programId, uint256 available, uint256 requested)
func (aidLedger *AidLedger) UnpackInsufficientFundsError(raw []byte) (*AidLedgerInsufficientFunds, error) {
	out := new(AidLedgerInsufficientFunds)
	if err := aidLedger.abi.UnpackIntoInterface(out, "InsufficientFunds", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerInvalidCycle represents a InvalidCycle error raised by the AidLedger contract.
type AidLedgerInvalidCycle struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidCycle()
func AidLedgerInvalidCycleErrorID() common.Hash {
	return common.HexToHash("0x9b8febfe5612b5ab5d1fe322dd26e4ad0da1a9be6dec52d753eeb0daa46e2874")
}

// UnpackInvalidCycleError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidCycle()
func (aidLedger *AidLedger) UnpackInvalidCycleError(raw []byte) (*AidLedgerInvalidCycle, error) {
	out := new(AidLedgerInvalidCycle)
	if err := aidLedger.abi.UnpackIntoInterface(out, "InvalidCycle", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerLengthMismatch represents a LengthMismatch error raised by the AidLedger contract.
type AidLedgerLengthMismatch struct {
	Ids     *big.Int
	Amounts *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error LengthMismatch(uint256 ids, uint256 amounts)
func AidLedgerLengthMismatchErrorID() common.Hash {
	return common.HexToHash("0xab8b67c6893c59617ef3ba4b4b942e9791f2572db2fdb32028356532f3b7396a")
}

// UnpackLengthMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error LengthMismatch(uint256 ids, uint256 amounts)
func (aidLedger *AidLedger) UnpackLengthMismatchError(raw []byte) (*AidLedgerLengthMismatch, error) {
	out := new(AidLedgerLengthMismatch)
	if err := aidLedger.abi.UnpackIntoInterface(out, "LengthMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerProgramAlreadyExists represents a ProgramAlreadyExists error raised by the AidLedger contract.
type AidLedgerProgramAlreadyExists struct {
	ProgramId uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ProgramAlreadyExists(uint64 programId)
func AidLedgerProgramAlreadyExistsErrorID() common.Hash {
	return common.HexToHash("0xc1d908e0194038894b4db61334f1fb09b6e2eb69bdd69df66cdb53a09a96c0db")
}

// UnpackProgramAlreadyExistsError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ProgramAlreadyExists(uint64 programId)
func (aidLedger *AidLedger) UnpackProgramAlreadyExistsError(raw []byte) (*AidLedgerProgramAlreadyExists, error) {
	out := new(AidLedgerProgramAlreadyExists)
	if err := aidLedger.abi.UnpackIntoInterface(out, "ProgramAlreadyExists", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerProgramInactive represents a ProgramInactive error raised by the AidLedger contract.
type AidLedgerProgramInactive struct {
	ProgramId uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ProgramInactive(uint64 programId)
func AidLedgerProgramInactiveErrorID() common.Hash {
	return common.HexToHash("0x382d46938d146f32204c2fd9fb9f9f48b080f8f3fea2feae6fbf69cf283ba3b4")
}

// UnpackProgramInactiveError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ProgramInactive(uint64 programId)
func (aidLedger *AidLedger) UnpackProgramInactiveError(raw []byte) (*AidLedgerProgramInactive, error) {
	out := new(AidLedgerProgramInactive)
	if err := aidLedger.abi.UnpackIntoInterface(out, "ProgramInactive", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerSequenceMismatch represents a SequenceMismatch error raised by the AidLedger contract.
type AidLedgerSequenceMismatch struct {
	Beneficiary [32]byte
	Expected    uint64
	Given       uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error SequenceMismatch(bytes32 beneficiary, uint64 expected, uint64 given)
func AidLedgerSequenceMismatchErrorID() common.Hash {
	return common.HexToHash("0xc14c343a7ec04f24882d7205104ed18a4103801a7503efdeeeb49352003f1c40")
}

// UnpackSequenceMismatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error SequenceMismatch(bytes32 beneficiary, uint64 expected, uint64 given)
func (aidLedger *AidLedger) UnpackSequenceMismatchError(raw []byte) (*AidLedgerSequenceMismatch, error) {
	out := new(AidLedgerSequenceMismatch)
	if err := aidLedger.abi.UnpackIntoInterface(out, "SequenceMismatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerUnknownProgram represents a UnknownProgram error raised by the AidLedger contract.
type AidLedgerUnknownProgram struct {
	ProgramId uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error UnknownProgram(uint64 programId)
func AidLedgerUnknownProgramErrorID() common.Hash {
	return common.HexToHash("0x79afd9f208a145883440bbd69f555044bc91ee45b3761d500849d50ab6e29d8d")
}

// UnpackUnknownProgramError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error UnknownProgram(uint64 programId)
func (aidLedger *AidLedger) UnpackUnknownProgramError(raw []byte) (*AidLedgerUnknownProgram, error) {
	out := new(AidLedgerUnknownProgram)
	if err := aidLedger.abi.UnpackIntoInterface(out, "UnknownProgram", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerVendorNotApproved represents a VendorNotApproved error raised by the AidLedger contract.
type AidLedgerVendorNotApproved struct {
	Vendor common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error VendorNotApproved(address vendor)
func AidLedgerVendorNotApprovedErrorID() common.Hash {
	return common.HexToHash("0x5d9e9c39c03a8d9f758d9082e769e48312558b1b6be72e5f156eb0b928bf2565")
}

// UnpackVendorNotApprovedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error VendorNotApproved(address vendor)
func (aidLedger *AidLedger) UnpackVendorNotApprovedError(raw []byte) (*AidLedgerVendorNotApproved, error) {
	out := new(AidLedgerVendorNotApproved)
	if err := aidLedger.abi.UnpackIntoInterface(out, "VendorNotApproved", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerZeroAddress represents a ZeroAddress error raised by the AidLedger contract.
type AidLedgerZeroAddress struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAddress()
func AidLedgerZeroAddressErrorID() common.Hash {
	return common.HexToHash("0xd92e233df2717d4a40030e20904abd27b68fcbeede117eaaccbbdac9618c8c73")
}

// UnpackZeroAddressError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAddress()
func (aidLedger *AidLedger) UnpackZeroAddressError(raw []byte) (*AidLedgerZeroAddress, error) {
	out := new(AidLedgerZeroAddress)
	if err := aidLedger.abi.UnpackIntoInterface(out, "ZeroAddress", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// AidLedgerZeroAmount represents a ZeroAmount error raised by the AidLedger contract.
type AidLedgerZeroAmount struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAmount()
func AidLedgerZeroAmountErrorID() common.Hash {
	return common.HexToHash("0x1f2a2005cb66a8e145327e8814e243a0996aec9bfe1e15a495778b1236dbd485")
}

// UnpackZeroAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAmount()
func (aidLedger *AidLedger) UnpackZeroAmountError(raw []byte) (*AidLedgerZeroAmount, error) {
	out := new(AidLedgerZeroAmount)
	if err := aidLedger.abi.UnpackIntoInterface(out, "ZeroAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}
