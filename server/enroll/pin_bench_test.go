package enroll_test

import (
	"context"
	"testing"
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
