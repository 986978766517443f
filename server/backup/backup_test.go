package backup_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/backup"
	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/redeem"
)

// shop sells through the API as the first demo vendor.
type shop struct {
	t    *testing.T
	w    *apptest.World
	sold int
}

// sell redeems 1 on the i-th beneficiary's card and returns the redemption; wait says whether to
// wait for the chain (201) or take the acceptance (202).
func (s *shop) sell(wait bool) redeem.Redemption {
	s.t.Helper()
	b := s.w.Seeded.Beneficiaries[s.sold%len(s.w.Seeded.Beneficiaries)]
	headers := []string{"Idempotency-Key", fmt.Sprintf("backup-sale-%d", s.sold)}
	if !wait {
		headers = append(headers, "Prefer", "respond-async")
	}
	s.sold++
	r := s.w.Do("POST", "/api/v1/redemptions", apptest.Vendor1, map[string]any{"card_number": b.CardNumber, "pin": demo.PIN,
		"program_id": s.w.Seeded.Programs[0].ID, "amount": 1, "category": "food"}, headers...)
	if r.Status != 201 && r.Status != 202 {
		s.t.Fatalf("sale %d: %d %s", s.sold, r.Status, r.Body)
	}
	var red redeem.Redemption
	r.JSON(s.t, &red)
	if wait && red.Status != redeem.StatusConfirmed {
		s.t.Fatalf("sale %d: %s, want confirmed", s.sold, red.Status)
	}
	return red
}

// balances is what every demo card holds, as a shop sees it with the PIN.
func balances(t *testing.T, w *apptest.World) []string {
	t.Helper()
	var out []string
	for _, b := range w.Seeded.Beneficiaries {
		r := w.Do("POST", "/api/v1/cards/"+b.CardNumber+"/balance", apptest.Vendor1, map[string]string{"pin": demo.PIN})
		if r.Status != 200 {
			t.Fatalf("balance of %s: %d %s", b.ID, r.Status, r.Body)
		}
		out = append(out, string(r.Body))
	}
	return out
}

func TestRestore_OfABackupTakenWhileShopsSell_PaysEveryAcceptedRedemptionOnce(t *testing.T) {
	w := apptest.New(t, apptest.Small)
	s := &shop{t: t, w: w}
	var before []redeem.Redemption
	for range 4 {
		before = append(before, s.sell(true))
	}
	before = append(before, s.sell(false)) // accepted, perhaps not yet on chain

	// Between the chain's copy and the database's, three sales are confirmed on chain: the
	// database copy knows them as paid in blocks the chain copy does not have. A second backup
	// asked for meanwhile is refused.
	var during []redeem.Redemption
	var atSnapshot []string
	undo := backup.AfterChainCopied(func() {
		for range 3 {
			during = append(during, s.sell(true))
		}
		atSnapshot = balances(t, w)
		if r := w.Do("POST", "/api/v1/admin/backups", apptest.Admin, nil); r.Status != 409 || !strings.Contains(string(r.Body), "backup_running") {
			t.Errorf("a second backup while one is written: %d %s, want 409 backup_running", r.Status, r.Body)
		}
	})
	info, err := w.App.Backups.Create(t.Context())
	undo()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	m := info.Manifest
	wantDB := "sqlite"
	if w.App.Cfg.DB != "" {
		wantDB = "postgres"
	}
	if m.Chain != "embedded" || m.ChainHead == 0 || info.SizeBytes == 0 || m.Database != wantDB {
		t.Fatalf("backup %+v, manifest %+v", info, m)
	}
	for _, r := range during {
		if r.BlockNumber <= m.ChainHead {
			t.Fatalf("sale during the backup mined in block %d, at or below the copied head %d: the test proves nothing", r.BlockNumber, m.ChainHead)
		}
	}
	db := copyPostgres(t, w) // as an operator would, after the archive
	after := s.sell(true)    // not in the backup

	// The list shows it, with its manifest.
	var list backup.List
	if r := w.Do("GET", "/api/v1/admin/backups", apptest.Admin, nil); r.Status != 200 {
		t.Fatalf("list backups: %d %s", r.Status, r.Body)
	} else if r.JSON(t, &list); len(list.Backups) != 1 || list.Backups[0].Name != info.Name || list.Backups[0].Manifest == nil ||
		list.Backups[0].Manifest.ChainHeadHash != m.ChainHeadHash {
		t.Fatalf("list: %s; want the one backup %s", r.Body, info.Name)
	}

	dir := filepath.Join(t.TempDir(), "restored")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := backup.Restore(t.Context(), filepath.Join(list.Dir, info.Name), dir, "", logger); err != nil {
		t.Fatalf("restore: %v", err)
	}
	// The uploads' directory keeps its name, so the restored server knows its imports as its own.
	owner := filepath.Join("imports", enroll.ImportOwnerFile)
	if was, err := os.ReadFile(filepath.Join(w.App.Cfg.DataDir, owner)); err != nil {
		t.Fatal(err)
	} else if now, err := os.ReadFile(filepath.Join(dir, owner)); err != nil || string(now) != string(was) {
		t.Errorf("restored %s: %q, %v; want %q", owner, now, err, was)
	}
	a, err := app.Start(t.Context(), app.Config{DataDir: dir, DB: db, Lanes: 2, Logger: logger})
	if err != nil {
		t.Fatalf("start the restored system: %v", err)
	}
	w2 := w.On(a)

	// Every sale accepted before the database was copied is paid on the restored chain, the
	// ones the copied chain lacked in new blocks; the sale after it does not exist there.
	for _, r := range append(before, during...) {
		var got redeem.Redemption
		w2.WaitFor("sale "+r.ID+" confirmed on the restored chain", 30*time.Second, func() bool {
			resp := w2.Do("GET", "/api/v1/redemptions/"+r.ID, apptest.Admin, nil)
			if resp.Status != 200 {
				t.Fatalf("restored sale %s: %d %s", r.ID, resp.Status, resp.Body)
			}
			resp.JSON(t, &got)
			return got.Status == redeem.StatusConfirmed
		})
	}
	for _, r := range during {
		var got redeem.Redemption
		w2.Do("GET", "/api/v1/redemptions/"+r.ID, apptest.Admin, nil).JSON(t, &got)
		if got.BlockNumber <= m.ChainHead {
			t.Errorf("sale %s confirmed in block %d after the restore; want a block after the copied head %d", r.ID, got.BlockNumber, m.ChainHead)
		}
	}
	if r := w2.Do("GET", "/api/v1/redemptions/"+after.ID, apptest.Admin, nil); r.Status != 404 {
		t.Errorf("the sale after the backup on the restored system: %d %s, want 404", r.Status, r.Body)
	}
	// Once on chain each: the reconciliation finds one event for each confirmed redemption.
	w2.WaitIndexed()
	var rec redeem.Reconciliation
	w2.Do("GET", "/api/v1/admin/reconciliation", apptest.Admin, nil).JSON(t, &rec)
	if !rec.OK || rec.RedeemedEvents != rec.ConfirmedRedemptions || len(rec.DuplicateEvents) > 0 {
		t.Errorf("reconciliation on the restored system: %+v", rec)
	}
	if got := balances(t, w2); strings.Join(got, "\n") != strings.Join(atSnapshot, "\n") {
		t.Errorf("balances after the restore:\n%s\nwant those when the database was copied:\n%s", strings.Join(got, "\n"), strings.Join(atSnapshot, "\n"))
	}
}

// copyPostgres copies a PostgreSQL system's database with pg_dump into a new database and
// returns its DSN; "" for SQLite, which the archive holds.
func copyPostgres(t *testing.T, w *apptest.World) string {
	t.Helper()
	src := w.App.Cfg.DB
	if src == "" {
		return ""
	}
	tool := func(name string) string {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
		if len(found) == 0 {
			t.Skipf("%s not found: the PostgreSQL restore needs it", name)
		}
		return found[len(found)-1]
	}
	dump := filepath.Join(t.TempDir(), "db.dump")
	if out, err := exec.Command(tool("pg_dump"), "--format=custom", "--dbname="+src, "--file="+dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	dst := testenv.PostgresDB(t, os.Getenv(testenv.EnvPostgres))
	if out, err := exec.Command(tool("pg_restore"), "--no-owner", "--dbname="+dst, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	return dst
}

func TestBackups_KeepTheNewestAndOnlyAdminsMayAsk(t *testing.T) {
	w := apptest.New(t, apptest.Small)
	for _, who := range []string{apptest.AidWorker, apptest.Vendor1, apptest.Donor} {
		if r := w.Do("POST", "/api/v1/admin/backups", who, nil); r.Status != 403 {
			t.Errorf("a backup asked by %s: %d, want 403", who, r.Status)
		}
	}
	r := w.Do("POST", "/api/v1/admin/backups", apptest.Admin, nil)
	var started backup.Info
	if r.JSON(t, &started); r.Status != 202 || started.Status != "running" {
		t.Fatalf("POST backups: %d %s, want 202 running", r.Status, r.Body)
	}
	var list backup.List
	w.WaitFor("the backup to be written", 30*time.Second, func() bool {
		w.Do("GET", "/api/v1/admin/backups", apptest.Admin, nil).JSON(t, &list)
		return len(list.Backups) == 1 && list.Backups[0].Status == "done"
	})
	if list.Backups[0].Name != started.Name {
		t.Fatalf("written %s, started %s", list.Backups[0].Name, started.Name)
	}
	for range backup.DefaultKeep + 1 {
		if _, err := w.App.Backups.Create(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	w.Do("GET", "/api/v1/admin/backups", apptest.Admin, nil).JSON(t, &list)
	if len(list.Backups) != backup.DefaultKeep {
		t.Fatalf("%d backups kept, want %d", len(list.Backups), backup.DefaultKeep)
	}
	for _, b := range list.Backups {
		if b.Name == started.Name {
			t.Errorf("the oldest backup %s was kept", b.Name)
		}
	}
	if r := w.Do("GET", "/metrics", "", nil); !strings.Contains(string(r.Body), "aidledger_backup_last_success_timestamp_seconds ") {
		t.Error("/metrics lacks aidledger_backup_last_success_timestamp_seconds")
	}
	// The audit log names who asked.
	if r := w.Do("GET", "/api/v1/admin/audit?action=backup.create", apptest.Admin, nil); !strings.Contains(string(r.Body), "backup.create") {
		t.Errorf("audit of the backup: %s", r.Body)
	}
}

// A donor or auditor needs nothing of ours to check a backup's chain: a plain geth rebuilds it
// from the archive's genesis.json and chain.rlp (`geth init`, `geth import`), executing every
// block, and ends at the head the manifest names.
func TestArchive_ChainIsReplayedByAPlainGeth(t *testing.T) {
	geth := os.Getenv(chaintest.EnvGeth)
	if geth == "" {
		t.Skipf("set %s to a geth binary", chaintest.EnvGeth)
	}
	w := apptest.New(t, apptest.Small)
	info, err := w.App.Backups.Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	archive := filepath.Join(w.App.Backups.List().Dir, info.Name)
	if out, err := exec.Command("tar", "-xzf", archive, "-C", dir, "genesis.json", "chain.rlp").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	datadir := filepath.Join(dir, "geth")
	for _, args := range [][]string{{"init", filepath.Join(dir, "genesis.json")}, {"import", filepath.Join(dir, "chain.rlp")}} {
		out, err := exec.Command(geth, append([]string{"--datadir", datadir, "--state.scheme", "hash"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("geth %s: %v\n%s", args[0], err, out)
		}
		if args[0] != "import" {
			continue
		}
		// geth logs the head it reached as number=N hash=0123ab..cdef89.
		h := info.Manifest.ChainHeadHash
		want := fmt.Sprintf("number=%d hash=%s..%s", info.Manifest.ChainHead, h[2:8], h[len(h)-6:])
		if !strings.Contains(string(out), want) {
			t.Fatalf("geth import did not reach %q:\n%s", want, out)
		}
	}
}

func TestRun_WritesABackupEveryPeriodAndKeepsTheNewest(t *testing.T) {
	w := apptest.New(t, apptest.Small)
	src := backup.Source{DataDir: w.App.Cfg.DataDir, DB: w.App.DB, Node: w.App.Chain.Node()}
	s, err := backup.New(src, backup.Config{Dir: t.TempDir(), Every: 200 * time.Millisecond, Keep: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { stop(); <-done }()

	var first string
	w.WaitFor("a scheduled backup", 30*time.Second, func() bool {
		l := s.List()
		if len(l.Backups) > 0 && l.Backups[len(l.Backups)-1].Status == "done" && first == "" {
			first = l.Backups[len(l.Backups)-1].Name
		}
		return first != ""
	})
	// Two more periods later the first is gone and two are kept.
	w.WaitFor("the first backup to be replaced by newer ones", 30*time.Second, func() bool {
		l := s.List()
		for _, b := range l.Backups {
			if b.Name == first {
				return false
			}
		}
		return len(l.Backups) >= 2
	})
	if l := s.List(); l.LastFailure != nil {
		t.Errorf("a scheduled backup failed: %+v", l.LastFailure)
	}
}

func TestSealedBackups_OpenOnlyWithTheirPassphrase(t *testing.T) {
	w := apptest.New(t, apptest.Small)
	src := backup.Source{DataDir: w.App.Cfg.DataDir, DB: w.App.DB, Node: w.App.Chain.Node()}
	s, err := backup.New(src, backup.Config{Dir: t.TempDir(), Passphrase: "a long camp passphrase"})
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(info.Name, ".tar.gz.sealed") {
		t.Errorf("sealed archive named %s", info.Name)
	}
	// The service lists it with its manifest; nothing else can.
	if l := s.List(); len(l.Backups) != 1 || l.Backups[0].Manifest == nil || l.Backups[0].Manifest.ChainHead != info.Manifest.ChainHead {
		t.Fatalf("list: %+v", l)
	}
	archive := filepath.Join(s.List().Dir, info.Name)
	if _, err := backup.ReadManifest(archive, ""); !errors.Is(err, backup.ErrSealed) {
		t.Errorf("manifest without the passphrase: %v, want ErrSealed", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, pass := range []string{"", "a wrong passphrase"} {
		dir := filepath.Join(t.TempDir(), "r")
		if _, err := backup.Restore(t.Context(), archive, dir, pass, logger); err == nil {
			t.Errorf("restore with passphrase %q succeeded", pass)
		}
	}
	dir := filepath.Join(t.TempDir(), "r")
	m, err := backup.Restore(t.Context(), archive, dir, "a long camp passphrase", logger)
	if err != nil {
		t.Fatal(err)
	}
	if m.ChainHeadHash != info.Manifest.ChainHeadHash {
		t.Errorf("restored %+v, want %+v", m, info.Manifest)
	}
	want, _ := os.ReadFile(filepath.Join(src.DataDir, "secrets.json"))
	if got, err := os.ReadFile(filepath.Join(dir, "secrets.json")); err != nil || !bytes.Equal(got, want) {
		t.Errorf("restored secrets differ: %v", err)
	}
}
