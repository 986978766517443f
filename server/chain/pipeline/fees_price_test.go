package pipeline

import (
	"crypto/ecdsa"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func TestReprice_ReplacesATransactionOnlyWhenItsPriceWasRefusedOrOutgrownAndWithinTheCeiling(t *testing.T) {
	const gwei = 1_000_000_000
	g := func(n float64) *big.Int { return big.NewInt(int64(n * gwei)) }
	tests := []struct {
		name            string
		tip, feeCap     *big.Int
		baseFee         *big.Int
		refusal         string
		ceiling         *big.Int
		wantOK          bool
		wantCapped      bool
		wantTip, wantFC *big.Int
	}{
		{name: "a transaction priced over the next base fee and not refused keeps its price",
			tip: g(1), feeCap: g(3), baseFee: g(1), ceiling: g(1000)},
		{name: "a send that failed for another reason keeps its price",
			tip: g(1), feeCap: g(3), baseFee: g(1), refusal: "connection reset by peer", ceiling: g(1000)},
		{name: "nonce too low is not a refused price",
			tip: g(1), feeCap: g(3), baseFee: g(1), refusal: "nonce too low: next nonce 5, tx nonce 4", ceiling: g(1000)},
		{name: "another transaction holding the nonce in the pool is not outbid",
			tip: g(1), feeCap: g(3), baseFee: g(1), refusal: "replacement transaction underpriced", ceiling: g(1000)},
		{name: "a refused tip rises to the minimum the node named",
			tip: g(1), feeCap: g(3), baseFee: g(1), refusal: "transaction gas price below minimum: gas tip cap 1000000000, minimum needed 3000000000",
			ceiling: g(1000), wantOK: true, wantTip: g(3), wantFC: new(big.Int).Add(g(3), big.NewInt(2*(gwei+gwei/8+1)))},
		{name: "a refused tip without a named minimum doubles",
			tip: g(1), feeCap: g(3), baseFee: g(1), refusal: "Gas price below configured minimum gas price",
			ceiling: g(1000), wantOK: true, wantTip: g(2), wantFC: new(big.Int).Add(g(2), big.NewInt(2*(gwei+gwei/8+1)))},
		{name: "a fee cap the base fee outgrew rises above twice the next block's base fee",
			tip: g(1), feeCap: g(3), baseFee: g(4),
			ceiling: g(1000), wantOK: true, wantTip: big.NewInt(gwei + gwei/8 + 1), wantFC: new(big.Int).Add(big.NewInt(gwei+gwei/8+1), big.NewInt(2*(4*gwei+gwei/2+1)))},
		{name: "a fee cap that cannot pay its whole tip at the next base fee is outgrown too",
			tip: g(1), feeCap: g(2), baseFee: g(1),
			ceiling: g(1000), wantOK: true, wantTip: big.NewInt(gwei + gwei/8 + 1), wantFC: new(big.Int).Add(big.NewInt(gwei+gwei/8+1), big.NewInt(2*(gwei+gwei/8+1)))},
		{name: "the ceiling clamps the fee cap of a replacement that still beats the old price by a tenth",
			tip: g(1), feeCap: g(3), baseFee: g(4), ceiling: g(5), wantOK: true, wantTip: big.NewInt(gwei + gwei/8 + 1), wantFC: g(5)},
		{name: "no replacement when the ceiling leaves less than a tenth more than the old price",
			tip: g(1), feeCap: g(3), baseFee: g(4), ceiling: g(3.2), wantCapped: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tip, fc, ok, capped := reprice(tt.tip, tt.feeCap, tt.baseFee, g(1), tt.ceiling, tt.refusal)
			if ok != tt.wantOK || capped != tt.wantCapped {
				t.Fatalf("ok %v capped %v, want %v and %v", ok, capped, tt.wantOK, tt.wantCapped)
			}
			if !ok {
				return
			}
			if tip.Cmp(tt.wantTip) != 0 || fc.Cmp(tt.wantFC) != 0 {
				t.Errorf("tip %s fee cap %s, want %s and %s", tip, fc, tt.wantTip, tt.wantFC)
			}
			if !atLeastTenPercentMore(tip, tt.tip) || !atLeastTenPercentMore(fc, tt.feeCap) {
				t.Errorf("tip %s fee cap %s: a node would refuse it as a replacement of %s/%s", tip, fc, tt.tip, tt.feeCap)
			}
		})
	}
}

func TestTx_VersionsNameTheMinedOneFirstOnceSettled(t *testing.T) {
	tx := Tx{Hash: "0xc", PriorHashes: "0xa 0xb"}
	if got := tx.versions(); len(got) != 3 || got[0] != "0xc" || got[1] != "0xb" || got[2] != "0xa" {
		t.Fatalf("versions %v, want the current one then the prior ones latest first", got)
	}
	tx.minedVersion("0xa")
	if tx.Hash != "0xa" || tx.PriorHashes != "0xb 0xc" {
		t.Errorf("after the first version was mined: hash %s prior %q, want 0xa and \"0xb 0xc\"", tx.Hash, tx.PriorHashes)
	}
	tx.minedVersion("0xa")
	if tx.Hash != "0xa" || tx.PriorHashes != "0xb 0xc" {
		t.Errorf("settling the same version again changed it: hash %s prior %q", tx.Hash, tx.PriorHashes)
	}
}

func TestNew_RefusesACeilingBelowTheTip(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Keys: []*ecdsa.PrivateKey{key}, ChainID: big.NewInt(1337), TipCap: big.NewInt(2e9), MaxFeeCap: big.NewInt(1e9)}
	if _, err := New(nil, nil, cfg); err == nil || !strings.Contains(err.Error(), "below the tip") {
		t.Fatalf("New with a ceiling of 1 gwei and a tip of 2: %v, want an error naming the tip", err)
	}
}
