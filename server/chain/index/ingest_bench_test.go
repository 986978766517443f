package index_test

import (
	"context"
	"crypto/rand"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

// BenchmarkIndexerIngest measures how fast a fresh indexer catches up over real Redeemed logs:
// eth_getLogs, ABI decoding, block times, and the inserts into chain_events.
//
//	go test -run '^$' -bench IndexerIngest -benchtime 5x ./server/chain/index
func BenchmarkIndexerIngest(b *testing.B) {
	const batches, perBatch = 50, 100 // 100 items fit the test transactions' 5M gas
	c := testenv.NewChain(b, 1)
	abi := aidledger.NewAidLedger()
	vendor := common.HexToAddress("0x00000000000000000000000000000000000000b1")
	c.Transact(b, abi.PackCreateProgram(1))
	c.Transact(b, abi.PackFund(1, big.NewInt(1e15), [32]byte{}))
	c.Transact(b, abi.PackApproveVendor(vendor))
	ids := make([][32]byte, batches*perBatch)
	amounts := make([]*big.Int, len(ids))
	for i := range ids {
		_, _ = rand.Read(ids[i][:])
		amounts[i] = big.NewInt(1000)
	}
	for i := 0; i < len(ids); i += perBatch {
		c.Transact(b, abi.PackAllocate(1, 1, ids[i:i+perBatch], amounts[i:i+perBatch]))
	}
	for i := 0; i < len(ids); i += perBatch {
		items := make([]aidledger.AidLedgerRedeemItem, perBatch)
		for j := range items {
			items[j] = aidledger.AidLedgerRedeemItem{Beneficiary: ids[i+j], Vendor: vendor, Amount: big.NewInt(10), Ref: ids[i+j]}
		}
		c.Transact(b, abi.PackRedeemBatch(1, items))
	}
	events := 0
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		db, _ := testenv.DB(b, index.Schema)
		ix := index.New(db, c.Client, index.Config{Contract: c.Contract, FromBlock: c.DeployBlock})
		b.StartTimer()
		for {
			done, err := ix.Step(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if done {
				break
			}
		}
		b.StopTimer()
		var count int64
		db.Model(&index.Event{}).Count(&count)
		events = int(count)
		b.StartTimer()
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
