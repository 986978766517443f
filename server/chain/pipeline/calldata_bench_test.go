package pipeline

import (
	"crypto/rand"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// BenchmarkRedeemCalldata packs a 250-item redeemBatch from stored intent payloads: the CPU the
// submitter spends per batch before signing.
//
//	go test -run '^$' -bench RedeemCalldata ./server/chain/pipeline
func BenchmarkRedeemCalldata(b *testing.B) {
	payloads := make([][]byte, 250)
	for i := range payloads {
		var r Redemption
		_, _ = rand.Read(r.Beneficiary[:])
		_, _ = rand.Read(r.Ref[:])
		r.Vendor = common.BytesToAddress([]byte{byte(i % 200), 1})
		r.ProgramID, r.Amount, r.Seq = 7, 100, uint64(i)
		payloads[i] = RedeemIntent(2, r).Payload
	}
	k := redeemKind{max: 250}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := k.Calldata("7", payloads); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/250, "ns/item")
}
