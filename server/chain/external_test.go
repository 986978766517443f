package chain_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain"
	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

// TestOpen_AgainstARealGethNode_DeploysAndThePipelineConfirms runs the chain layer against an
// external `geth --dev` process over HTTP JSON-RPC, with the operator key supplied as a keystore
// file, as an agency would run it against its own network.
func TestOpen_AgainstARealGethNode_DeploysAndThePipelineConfirms(t *testing.T) {
	path := os.Getenv(chaintest.EnvGeth)
	if path == "" {
		t.Skipf("set %s to a geth binary to run against a real node", chaintest.EnvGeth)
	}
	g := chaintest.Geth(t, path, 1)
	keyFile := filepath.Join(t.TempDir(), "operator.json")
	blob, err := keystore.EncryptKey(&keystore.Key{
		Id: uuid.New(), Address: crypto.PubkeyToAddress(g.Keys[0].PublicKey), PrivateKey: g.Keys[0],
	}, "s3cret", keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, blob, 0o600); err != nil {
		t.Fatal(err)
	}
	db, _ := testenv.DB(t, chain.Schema, pipeline.Schema)
	ctx := context.Background()
	c, err := chain.Open(ctx, db, chain.Config{DataDir: t.TempDir(), EthRPC: g.URL, OperatorKeyFile: keyFile, Passphrase: "s3cret", Lanes: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Keys[0].D.Cmp(g.Keys[0].D) != 0 {
		t.Fatal("lane 0 does not use the operator key file")
	}

	p, err := pipeline.New(db, c.Client, pipeline.Config{Contract: c.Contract, ChainID: c.ChainID, Keys: c.Keys, TipCap: c.Tip})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go p.Run(runCtx)
	abi := aidledger.NewAidLedger()
	stored, err := p.Enqueue(ctx, nil, pipeline.CallIntent("create:1", abi.PackCreateProgram(1)))
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	in, err := p.Wait(wctx, stored[0].ID)
	if err != nil || in.Status != pipeline.IntentConfirmed {
		t.Fatalf("create program on geth: %s %q %v", in.Status, in.Reason, err)
	}
}
