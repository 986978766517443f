package ledger_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/chain/ledger"
)

func TestRef_RoundTripsIDAndCategory(t *testing.T) {
	for _, name := range ledger.Categories() {
		c, ok := ledger.ParseCategory(name)
		if !ok || c.String() != name {
			t.Fatalf("category %q does not round-trip (%v %v)", name, c, ok)
		}
		in := ledger.Ref{ID: uuid.Must(uuid.NewV7()), Category: c}
		if out := ledger.ParseRef(in.Bytes()); out != in {
			t.Errorf("%+v came back as %+v", in, out)
		}
	}
	if _, ok := ledger.ParseCategory("weapons"); ok {
		t.Error("an unknown category parsed")
	}
}
