package ledger_test

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

// errorWorld is the state the custom-error cases run against:
// program 1 active and funded 1000; program 2 inactive; vendor 0 approved, vendor 1 not;
// beneficiaries 0 and 1 hold 100 each (cycle 1), 1 is suspended; 0 redeemed 10 at vendor 0.
func errorWorld(t *testing.T, c *chaintest.Chain) *fixture {
	t.Helper()
	f := newFixture(t, c)
	f.setupProgram(1, 1000)
	f.do(f.manager, abiL.PackCreateProgram(2))
	f.do(f.manager, abiL.PackSetProgramActive(2, false))
	f.do(f.manager, abiL.PackApproveVendor(vendorAddr(0)))
	f.allocate(1, 1, [][32]byte{beneficiary(0), beneficiary(1)}, 100, 100)
	f.do(f.manager, abiL.PackSuspendBeneficiary(beneficiary(1)))
	f.do(f.operator, abiL.PackRedeem(1, beneficiary(0), vendorAddr(0), big.NewInt(10), 0, ref("r0")))
	return f
}

func TestCustomErrors_AreDecodedInGo(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := errorWorld(t, c)
		b0, b1 := beneficiary(0), beneficiary(1)
		v0, v1 := vendorAddr(0), vendorAddr(1)
		hx := func(b [32]byte) string { return hexutil.Encode(b[:]) }
		redeem := func(pid uint64, b [32]byte, v common.Address, amount int64, seq uint64) []byte {
			return abiL.PackRedeem(pid, b, v, big.NewInt(amount), seq, ref("x"))
		}
		cases := []struct {
			name string
			key  int // index into roles below
			data []byte
			want string
		}{
			{"create existing program", manager, abiL.PackCreateProgram(1), "ProgramAlreadyExists(programId=1)"},
			{"fund unknown program", manager, abiL.PackFund(9, big.NewInt(1), ref("d")), "UnknownProgram(programId=9)"},
			{"redeem in unknown program", operator, redeem(9, b0, v0, 1, 1), "UnknownProgram(programId=9)"},
			{"set unknown program active", manager, abiL.PackSetProgramActive(9, true), "UnknownProgram(programId=9)"},
			{"allocate in inactive program", manager, abiL.PackAllocate(2, 1, [][32]byte{b0}, bigs(1)), "ProgramInactive(programId=2)"},
			{"redeem in inactive program", operator, redeem(2, b0, v0, 1, 0), "ProgramInactive(programId=2)"},
			{"fund zero", manager, abiL.PackFund(1, big.NewInt(0), ref("d")), "ZeroAmount()"},
			{"redeem zero", operator, redeem(1, b0, v0, 0, 1), "ZeroAmount()"},
			{"settle zero", settler, abiL.PackSettle(1, v0, big.NewInt(0), ref("s")), "ZeroAmount()"},
			{"approve zero address", manager, abiL.PackApproveVendor(common.Address{}), "ZeroAddress()"},
			{"allocate length mismatch", manager, abiL.PackAllocate(1, 2, [][32]byte{b0, b1}, bigs(1)), "LengthMismatch(ids=2, amounts=1)"},
			{"allocate cycle zero", manager, abiL.PackAllocate(1, 0, [][32]byte{b0}, bigs(1)), "InvalidCycle()"},
			{"allocate beyond funds", manager, abiL.PackAllocate(1, 2, [][32]byte{beneficiary(2)}, bigs(10_000)),
				"InsufficientFunds(programId=1, available=800, requested=10000)"},
			{"redeem at unapproved vendor", operator, redeem(1, b0, v1, 1, 1), fmt.Sprintf("VendorNotApproved(vendor=%s)", v1.Hex())},
			{"redeem for suspended beneficiary", operator, redeem(1, b1, v0, 1, 0), fmt.Sprintf("BeneficiaryIsSuspended(beneficiary=%s)", hx(b1))},
			{"redeem with used seq", operator, redeem(1, b0, v0, 1, 0), fmt.Sprintf("SequenceMismatch(beneficiary=%s, expected=1, given=0)", hx(b0))},
			{"redeem beyond balance", operator, redeem(1, b0, v0, 1000, 1),
				fmt.Sprintf("InsufficientBalance(beneficiary=%s, balance=90, requested=1000)", hx(b0))},
			{"settle beyond unsettled", settler, abiL.PackSettle(1, v0, big.NewInt(11), ref("s")),
				fmt.Sprintf("ExceedsUnsettled(vendor=%s, unsettled=10, requested=11)", v0.Hex())},
			{"refund beyond unsettled", operator, abiL.PackRefund(1, b0, v0, big.NewInt(11), ref("x")),
				fmt.Sprintf("ExceedsUnsettled(vendor=%s, unsettled=10, requested=11)", v0.Hex())},
			{"reverse beyond settled", settler, abiL.PackReverseSettlement(1, v0, big.NewInt(1), ref("s")),
				fmt.Sprintf("ExceedsSettled(vendor=%s, settled=0, requested=1)", v0.Hex())},
			{"reverse zero", settler, abiL.PackReverseSettlement(1, v0, big.NewInt(0), ref("s")), "ZeroAmount()"},
			{"unpause when not paused", admin, abiL.PackUnpause(), "ExpectedPause()"},
			{"renounce for someone else", operator, abiL.PackRenounceRole(ledger.RoleOperator, v0), "AccessControlBadConfirmation()"},
		}
		keys := f.roleKeys()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f.t = t
				if got := f.revert(keys[tc.key], tc.data); got != tc.want {
					t.Errorf("revert = %s\n          want %s", got, tc.want)
				}
			})
		}
	})
}

// Role indices for table cases (keys are only known once a chain exists).
const (
	admin = iota
	manager
	operator
	settler
	stranger
)

func (f *fixture) roleKeys() [5]*ecdsa.PrivateKey {
	return [5]*ecdsa.PrivateKey{f.admin, f.manager, f.operator, f.settler, f.strange}
}

func TestRoles_EveryWriteIsDeniedWithoutItsRole(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := errorWorld(t, c)
		b0, v0 := beneficiary(0), vendorAddr(0)
		items := []aidledger.AidLedgerRedeemItem{item(b0, v0, 1, 1, "x")}
		cases := []struct {
			name   string
			caller int // holds some other role (or none), never the needed one
			data   []byte
			needed common.Hash
		}{
			{"pause", manager, abiL.PackPause(), ledger.RoleAdmin},
			{"unpause", operator, abiL.PackUnpause(), ledger.RoleAdmin},
			{"grantRole", manager, abiL.PackGrantRole(ledger.RoleOperator, v0), ledger.RoleAdmin},
			{"revokeRole", stranger, abiL.PackRevokeRole(ledger.RoleOperator, f.Addr(2)), ledger.RoleAdmin},
			{"createProgram", admin, abiL.PackCreateProgram(5), ledger.RoleProgramManager},
			{"setProgramActive", operator, abiL.PackSetProgramActive(1, false), ledger.RoleProgramManager},
			{"fund", settler, abiL.PackFund(1, big.NewInt(1), ref("d")), ledger.RoleProgramManager},
			{"allocate", operator, abiL.PackAllocate(1, 2, [][32]byte{b0}, bigs(1)), ledger.RoleProgramManager},
			{"expire", stranger, abiL.PackExpire(1, [][32]byte{b0}), ledger.RoleProgramManager},
			{"suspendBeneficiary", operator, abiL.PackSuspendBeneficiary(b0), ledger.RoleProgramManager},
			{"reinstateBeneficiary", stranger, abiL.PackReinstateBeneficiary(b0), ledger.RoleProgramManager},
			{"approveVendor", admin, abiL.PackApproveVendor(vendorAddr(7)), ledger.RoleProgramManager},
			{"revokeVendor", settler, abiL.PackRevokeVendor(v0), ledger.RoleProgramManager},
			{"redeem", manager, abiL.PackRedeem(1, b0, v0, big.NewInt(1), 1, ref("x")), ledger.RoleOperator},
			{"redeemBatch", admin, abiL.PackRedeemBatch(1, items), ledger.RoleOperator},
			{"settle", operator, abiL.PackSettle(1, v0, big.NewInt(1), ref("s")), ledger.RoleSettler},
			{"refund", settler, abiL.PackRefund(1, b0, v0, big.NewInt(1), ref("x")), ledger.RoleOperator},
			{"reverseSettlement", operator, abiL.PackReverseSettlement(1, v0, big.NewInt(1), ref("s")), ledger.RoleSettler},
		}
		keys := f.roleKeys()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f.t = t
				caller := f.Addr(tc.caller)
				_, err := f.Transact(t, keys[tc.caller], f.addr, tc.data)
				raw, ok := ledger.RevertData(err)
				if !ok {
					t.Fatalf("want AccessControlUnauthorizedAccount, got %v", err)
				}
				decoded, err := abiL.UnpackError(raw)
				if err != nil {
					t.Fatalf("binding cannot decode %x: %v", raw, err)
				}
				denial, ok := decoded.(*aidledger.AidLedgerAccessControlUnauthorizedAccount)
				if !ok {
					t.Fatalf("want AccessControlUnauthorizedAccount, got %s", ledger.DescribeRevert(raw))
				}
				if denial.Account != caller || denial.NeededRole != tc.needed {
					t.Errorf("denial names (%s, %s), want (%s, %s)", denial.Account, ledger.RoleName(denial.NeededRole), caller, ledger.RoleName(tc.needed))
				}
				want := fmt.Sprintf("AccessControlUnauthorizedAccount(account=%s, neededRole=%s)", caller.Hex(), tc.needed.Hex())
				if got := ledger.DescribeRevert(raw); got != want {
					t.Errorf("DescribeRevert = %s, want %s", got, want)
				}
			})
		}
	})
}
