package enroll_test

import (
	"context"
	"testing"

	"github.com/aidledger/aidledger/server/enroll"
)

// BenchmarkVerifyPIN measures the PIN check a redemption pays: a keyed HMAC and the attempt
// counter, in a database transaction of its own. It must stay a fast keyed hash, never a slow
// password hash: the secret outside the database and the five-attempt limit protect a 4-digit
// PIN, and a slow hash would cap the redemption rate.
//
//	go test -run '^$' -bench VerifyPIN ./server/enroll
func BenchmarkVerifyPIN(b *testing.B) {
	e := newEnv(b, nil)
	svc := e.start(b)
	in := person(1)
	ben := mustEnroll(b, svc, in)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := svc.VerifyPIN(ctx, ben.ID, in.PIN); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRekey measures a key rotation's database pass over 20,000 beneficiaries (imported
// once), rotating the master and lookup keys back and forth: each round wraps every data key
// again and computes every lookup hash again. It reports the time per beneficiary.
//
//	go test -run '^$' -bench Rekey -benchtime 5x ./server/enroll
func BenchmarkRekey(b *testing.B) {
	const n = 20_000
	e := newEnv(b, func(c *enroll.Config) { c.ImportBatch = 2000 })
	im := runImport(b, e.svc, csvOf(0, n))
	if im.Created != n {
		b.Fatalf("imported %+v", im)
	}
	e.svc.Close()
	a, c := testKeys(), testKeys()
	c.Master, c.Lookup = otherKey(7), otherKey(8)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		from, to := a, c
		if i%2 == 1 {
			from, to = c, a
		}
		st, err := enroll.Rekey(context.Background(), e.db, from, to)
		if err != nil || st.Resealed != n {
			b.Fatalf("rekey: %+v, %v", st, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/beneficiary")
}
