package chain_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/aidledger/aidledger/bindings/baselinetoken"
	"github.com/aidledger/aidledger/server/chain"
	"github.com/aidledger/aidledger/server/chain/node"
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
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if rc, err := node.WaitReceipt(wctx, c.Client, tx.Hash()); err != nil || rc.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("the deployment: %+v, %v", rc, err)
	}
	other := *c
	other.Contract = addr
	if ok, err := other.HasCorrections(ctx); err != nil || ok {
		t.Fatalf("a contract without refund: HasCorrections = %v, %v; want false", ok, err)
	}
}
