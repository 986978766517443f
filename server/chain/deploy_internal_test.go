package chain

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/aidledger/aidledger/server/chain/node"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

func TestOpen_FinishesADeploymentThatWasRecordedButNeverSent(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, _ := testenv.DB(t, Schema)
	cfg := Config{DataDir: dir, Lanes: 1}
	keys, err := loadKeys(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A first process records its deployment, then dies before sending it.
	n, err := node.Start(node.Config{DataDir: filepath.Join(dir, "chain"), Alloc: node.Fund(crypto.PubkeyToAddress(keys[0].PublicKey))})
	if err != nil {
		t.Fatal(err)
	}
	genesis, err := n.Client().HeaderByNumber(ctx, common.Big0)
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := startDeployment(ctx, db, n.Client(), n.ChainID(), keys[0], node.SuggestedTip(), genesis.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	c, err := Open(ctx, db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Contract.Hex() != recorded.Contract || c.DeployBlock == 0 {
		t.Fatalf("ledger at %s (block %d); want the recorded deployment at %s", c.Contract.Hex(), c.DeployBlock, recorded.Contract)
	}
}
