package pipeline

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/aidledger/aidledger/server/internal/testenv"
)

func TestNextBatch_ChoosesWithoutPayloadsAndReadReturnsThemOnlyWhileAllArePending(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(db, nil, Config{Keys: []*ecdsa.PrivateKey{key}, ChainID: big.NewInt(1)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var want []NewIntent
	for i := range 3 {
		want = append(want, CallIntent(fmt.Sprintf("create:%d", i), []byte{byte(i + 1), 0xca, 0xfe}))
	}
	if _, err := p.Enqueue(ctx, nil, want...); err != nil {
		t.Fatal(err)
	}
	l := newLane(p, 0)

	chosen, err := l.nextBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(chosen) != 1 || chosen[0].Payload != nil {
		// Calls go one per transaction; the choice carries no payload.
		t.Fatalf("chose %d intents, first payload %x; want one, without its payload", len(chosen), chosen[0].Payload)
	}
	full, err := l.read(ctx, chosen)
	if err != nil {
		t.Fatal(err)
	}
	if len(full) != 1 || !bytes.Equal(full[0].Payload, want[0].Payload) || full[0].Ref != want[0].Ref {
		t.Fatalf("read %+v; want the first call with its payload", full)
	}

	if err := db.Model(&Intent{}).Where("id = ?", chosen[0].ID).Update("status", IntentSubmitted).Error; err != nil {
		t.Fatal(err)
	}
	if gone, err := l.read(ctx, chosen); err != nil || gone != nil {
		t.Fatalf("read of a batch another process submitted: %v, %v; want nothing", gone, err)
	}
}
