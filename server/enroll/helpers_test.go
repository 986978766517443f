package enroll_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

var ctx = context.Background()

func testKeys() enroll.Keys {
	k := func(b byte) []byte {
		out := make([]byte, 32)
		for i := range out {
			out[i] = b + byte(i)
		}
		return out
	}
	return enroll.Keys{Master: k(1), Lookup: k(50), PIN: k(100)}
}

type env struct {
	svc  *enroll.Service
	db   *gorm.DB
	path string
	cfg  enroll.Config
	p    *pipeline.Pipeline
}

// newEnv is the service on a fresh SQLite database, with a pipeline that is never run (intents
// stay queued). cfg may adjust the configuration.
func newEnv(t testing.TB, cfg func(*enroll.Config)) *env {
	t.Helper()
	db, path := testenv.DB(t, enroll.Schema, pipeline.Schema)
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	p, err := pipeline.New(db, nil, pipeline.Config{Keys: []*ecdsa.PrivateKey{key}, ChainID: big.NewInt(1337)})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, path: path, p: p}
	e.cfg = enroll.Config{Keys: testKeys(), ImportDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if cfg != nil {
		cfg(&e.cfg)
	}
	e.svc = e.start(t)
	return e
}

func (e *env) start(t testing.TB) *enroll.Service {
	t.Helper()
	svc, err := enroll.New(e.db, e.p, e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc
}

func person(i int) enroll.Input {
	return enroll.Input{
		GivenName: fmt.Sprintf("Given%d", i), FamilyName: "Family", DateOfBirth: "1990-01-02",
		NationalID: fmt.Sprintf("ID%06d", i), Phone: fmt.Sprintf("+96279%07d", i),
		HouseholdSize: 4, Location: "Zaatari camp, district 3", PIN: "1234",
	}
}

func mustEnroll(t testing.TB, svc *enroll.Service, in enroll.Input) enroll.Beneficiary {
	t.Helper()
	b, err := svc.Enroll(ctx, in)
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	return b
}

// wantAPIErr fails unless err carries the apierr code (and, if field is not empty, names it).
func wantAPIErr(t testing.TB, err error, code, field string) *apierr.Error {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok {
		t.Fatalf("error %v: want apierr %s", err, code)
	}
	if e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("error %s (field %q): want %s (field %q)", e.Code, e.Field, code, field)
	}
	return e
}

func waitImport(t testing.TB, svc *enroll.Service, id string, within time.Duration) enroll.Import {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		im, err := svc.GetImport(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if im.Status != enroll.ImportRunning {
			return im
		}
		if time.Now().After(deadline) {
			t.Fatalf("import still running after %s: %+v", within, im)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func runImport(t testing.TB, svc *enroll.Service, csv string) enroll.Import {
	t.Helper()
	im, err := svc.StartImport(ctx, "worker@test", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	return waitImport(t, svc, im.ID, 60*time.Second)
}

func isErr(err, target error) bool { return errors.Is(err, target) }

// uploadsIn lists the uploaded files in an import directory (not its name file).
func uploadsIn(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != enroll.ImportOwnerFile {
			out = append(out, e.Name())
		}
	}
	return out
}
