package ledger_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/bindings/baselinetoken"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

func TestHasFunction_FindsRefundInTheLedgerAndNotInAnotherContract(t *testing.T) {
	tests := []struct {
		name string
		code string
		want bool
	}{
		{"the ledger", aidledger.AidLedgerMetaData.Bin, true},
		{"the ERC20 baseline", baselinetoken.BaselineTokenMetaData.Bin, false},
		{"no code", "0x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ledger.HasFunction(common.FromHex(tt.code), "refund"); got != tt.want {
				t.Errorf("HasFunction(refund) = %v, want %v", got, tt.want)
			}
		})
	}
	if ledger.HasFunction(common.FromHex(aidledger.AidLedgerMetaData.Bin), "noSuchFunction") {
		t.Error("a function the ABI does not have was found")
	}
}
