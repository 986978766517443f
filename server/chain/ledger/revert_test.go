package ledger_test

import (
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

// dataError is the shape of go-ethereum's JSON-RPC errors that carry revert data.
type dataError struct{ data any }

func (e dataError) Error() string  { return "execution reverted" }
func (e dataError) ErrorData() any { return e.data }

func TestRevertData_ReadsTheRPCErrorDataThroughWrapping(t *testing.T) {
	wrapped := fmt.Errorf("estimate: %w", dataError{"0xd93c0665"})
	raw, ok := ledger.RevertData(wrapped)
	if !ok || hexutil.Encode(raw) != "0xd93c0665" {
		t.Errorf("RevertData = %x, %v", raw, ok)
	}
	for _, err := range []error{nil, errors.New("nonce too low"), dataError{nil}, dataError{"0x"}, dataError{"zz"}} {
		if raw, ok := ledger.RevertData(err); ok {
			t.Errorf("RevertData(%v) = %x, want none", err, raw)
		}
	}
}

func TestDescribeRevert_NamesSolidityErrorsAndFallsBackToHex(t *testing.T) {
	str, _ := abi.NewType("string", "", nil)
	u256, _ := abi.NewType("uint256", "", nil)
	msg, _ := abi.Arguments{{Type: str}}.Pack("boom")
	code, _ := abi.Arguments{{Type: u256}}.Pack(big.NewInt(0x11))
	parsed, err := aidledger.AidLedgerMetaData.ParseABI()
	if err != nil {
		t.Fatal(err)
	}
	id := parsed.Errors["UnknownProgram"].ID
	truncated := append(id[:4:4], 0x01)
	cases := []struct {
		data []byte
		want string
	}{
		{nil, "revert without data"},
		{[]byte{1, 2}, "0x0102"},
		{hexutil.MustDecode("0xdeadbeef01"), "0xdeadbeef01"},
		{append(hexutil.MustDecode("0x08c379a0"), msg...), `Error("boom")`},
		{append(hexutil.MustDecode("0x4e487b71"), code...), "Panic(0x11)"},
		// The right selector with a truncated body is not trusted: hex.
		{truncated, hexutil.Encode(truncated)},
	}
	for _, tc := range cases {
		if got := ledger.DescribeRevert(tc.data); got != tc.want {
			t.Errorf("DescribeRevert(%x) = %s, want %s", tc.data, got, tc.want)
		}
	}
}

func TestReason_StringIsTheAPICode(t *testing.T) {
	if got := ledger.ReasonInsufficientBalance.String(); got != "insufficient_balance" {
		t.Errorf("got %s", got)
	}
	if got := ledger.Reason(42).String(); got != "reason_42" {
		t.Errorf("got %s", got)
	}
}
