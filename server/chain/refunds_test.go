package chain_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/bindings/baselinetoken"
	"github.com/aidledger/aidledger/server/chain"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

// A ledger deployed by a release before refunds keeps its code: the server must tell it apart
// and refuse refunds there rather than send transactions that revert. Another contract without a
// refund function stands in for it.
func TestHasCorrections_TellsTheCurrentLedgerFromCodeWithoutRefund(t *testing.T) {
	db, _ := testenv.DB(t, chain.Schema)
	c, err := open(t, db, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if ok, err := c.HasCorrections(ctx); err != nil || !ok {
		t.Fatalf("the deployed ledger: HasCorrections = %v, %v; want true", ok, err)
	}
	opts := bind.NewKeyedTransactor(c.Keys[len(c.Keys)-1], c.ChainID) // a lane key nothing else sends from here
	tok := baselinetoken.NewBaselineToken()
	addr, tx, err := bind.DeployContract(opts, common.FromHex(baselinetoken.BaselineTokenMetaData.Bin), c.Client,
		tok.PackConstructor(opts.From, big.NewInt(1)))
	if err != nil {
		t.Fatal(err)
	}
	// Mined, and its code readable at the head: the embedded node can hand out the receipt a
	// moment before the head's state has the code (bind.WaitDeployed failed so once in CI).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		rc, rerr := c.Client.TransactionReceipt(ctx, tx.Hash())
		code, cerr := c.Client.CodeAt(ctx, addr, nil)
		if rerr == nil && rc.Status != 1 {
			t.Fatalf("the deployment reverted: %+v", rc)
		}
		if rerr == nil && cerr == nil && len(code) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no code at %s 30 s after the deployment: %v, %v", addr.Hex(), rerr, cerr)
		}
	}
	other := *c
	other.Contract = addr
	if ok, err := other.HasCorrections(ctx); err != nil || ok {
		t.Fatalf("a contract without refund: HasCorrections = %v, %v; want false", ok, err)
	}
}
