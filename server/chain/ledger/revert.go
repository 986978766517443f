package ledger

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/aidledger/aidledger/bindings/aidledger"
)

// contractABI is parsed once: DescribeRevert runs for every failed transaction and must not
// re-parse the JSON each time.
var contractABI = func() *abi.ABI {
	parsed, err := aidledger.AidLedgerMetaData.ParseABI()
	if err != nil {
		panic("aidledger ABI: " + err.Error()) // generated code: cannot fail unless the build is broken
	}
	return parsed
}()

// Selectors of the two errors Solidity itself raises: require(..., "msg") and checked-arithmetic
// or assert failures.
var (
	errorStringSelector = []byte{0x08, 0xc3, 0x79, 0xa0} // Error(string)
	panicSelector       = []byte{0x4e, 0x48, 0x7b, 0x71} // Panic(uint256)
	stringArgs          = abi.Arguments{{Type: mustType("string")}}
	panicArgs           = abi.Arguments{{Type: mustType("uint256")}}
)

// RevertData extracts the revert payload from an error returned by eth_call, eth_estimateGas or
// eth_sendRawTransaction: go-ethereum's RPC client keeps it as the JSON-RPC error's data field, a
// hex string. It reports false when the error carries no such data (a network error, a nonce
// error, a revert without reason).
func RevertData(err error) ([]byte, bool) {
	var de interface{ ErrorData() any }
	if !errors.As(err, &de) {
		return nil, false
	}
	switch d := de.ErrorData().(type) {
	case string:
		b, decErr := hexutil.Decode(d)
		if decErr != nil || len(b) == 0 {
			return nil, false
		}
		return b, true
	case []byte:
		return d, len(d) > 0
	}
	return nil, false
}

// DescribeRevert renders revert data as the error's name and arguments, e.g.
// "InsufficientFunds(programId=1, available=10, requested=20)", for the AidLedger custom errors
// (OpenZeppelin's AccessControl and Pausable errors included), Error(string) and Panic(uint256).
// Data it cannot decode is returned as hex, so a failure record never loses information.
func DescribeRevert(data []byte) string {
	if len(data) == 0 {
		return "revert without data"
	}
	if len(data) < 4 {
		return hexutil.Encode(data)
	}
	sel := data[:4]
	switch {
	case string(sel) == string(errorStringSelector):
		if vals, err := stringArgs.Unpack(data[4:]); err == nil {
			return fmt.Sprintf("Error(%q)", vals[0])
		}
	case string(sel) == string(panicSelector):
		if vals, err := panicArgs.Unpack(data[4:]); err == nil {
			return fmt.Sprintf("Panic(0x%x)", vals[0])
		}
	}
	for _, e := range contractABI.Errors {
		if string(e.ID[:4]) != string(sel) {
			continue
		}
		vals, err := e.Inputs.Unpack(data[4:])
		if err != nil {
			break // right selector, malformed body: fall back to hex below
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = e.Inputs[i].Name + "=" + formatValue(v)
		}
		return e.Name + "(" + strings.Join(parts, ", ") + ")"
	}
	return hexutil.Encode(data)
}

func formatValue(v any) string {
	switch x := v.(type) {
	case [32]byte:
		return hexutil.Encode(x[:])
	case common.Address:
		return x.Hex()
	case *big.Int:
		return x.String()
	case []byte:
		return hexutil.Encode(x)
	}
	return fmt.Sprint(v)
}

func mustType(name string) abi.Type {
	t, err := abi.NewType(name, "", nil)
	if err != nil {
		panic(err)
	}
	return t
}
