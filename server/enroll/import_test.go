package enroll_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/enroll"
)

const header = "given_name,family_name,date_of_birth,national_id,phone,household_size,location,pin\n"

func csvRow(i int) string {
	return fmt.Sprintf("Given%d,Family,1990-01-02,ID%07d,+96279%07d,%d,\"Camp, block %d\",%04d\n", i, i, i, 1+i%9, i%40, i%10000)
}

func csvOf(from, to int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := from; i < to; i++ {
		b.WriteString(csvRow(i))
	}
	return b.String()
}

func TestImport_CreatesEveryValidRow(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.ImportBatch = 7 }) // several batches and a partial one
	im := runImport(t, e.svc, csvOf(0, 30))
	if im.Status != enroll.ImportDone || im.Total != 30 || im.Processed != 30 || im.Created != 30 || im.Duplicates != 0 || im.Failed != 0 || len(im.Errors) != 0 {
		t.Fatalf("import %+v", im)
	}
	res, err := e.svc.List(ctx, "ID0000017", 1, 10)
	if err != nil || res.Total != 1 || res.Items[0].GivenName != "Given17" || res.Items[0].Location != "Camp, block 17" || res.Items[0].HouseholdSize != 9 {
		t.Fatalf("imported row 17: %+v %v", res, err)
	}
	if err := e.svc.VerifyPIN(ctx, res.Items[0].ID, "0017"); err != nil {
		t.Fatalf("imported PIN: %v", err)
	}
	if left := uploadsIn(t, e.cfg.ImportDir); len(left) != 0 {
		t.Fatalf("upload not removed after the import: %v", left)
	}
}

func TestImport_ReportsEveryBadRowWithLineAndFieldAndImportsNoneOfThem(t *testing.T) {
	e := newEnv(t, nil)
	file := header +
		csvRow(1) + // line 2
		"Amina,,1990-13-01,I1,+96279,0,Camp,12\n" + // line 3: six bad fields
		csvRow(3) + // line 4
		"only,three,fields\n" + // line 5
		"Bob,Smith,1980-01-01,,,2,Camp,12345\n" + // line 6: fine (no id, no phone)
		"Eve,Doe,1980-01-01,,,x,Camp,1234\n" // line 7: household not a number
	im := runImport(t, e.svc, file)
	if im.Status != enroll.ImportDone || im.Total != 6 || im.Processed != 6 || im.Created != 3 || im.Failed != 3 || im.Duplicates != 0 {
		t.Fatalf("import %+v", im)
	}
	want := []enroll.RowError{
		{Row: 3, Field: "family_name"}, {Row: 3, Field: "date_of_birth"}, {Row: 3, Field: "national_id"},
		{Row: 3, Field: "phone"}, {Row: 3, Field: "household_size"}, {Row: 3, Field: "pin"},
		{Row: 5, Field: ""}, {Row: 7, Field: "household_size"},
	}
	if len(im.Errors) != len(want) || im.ErrorCount != len(want) {
		t.Fatalf("errors %+v, want %+v", im.Errors, want)
	}
	for i, w := range want {
		if im.Errors[i].Row != w.Row || im.Errors[i].Field != w.Field || im.Errors[i].Message == "" {
			t.Fatalf("error %d is %+v, want %+v", i, im.Errors[i], w)
		}
		if strings.Contains(im.Errors[i].Message, "Amina") {
			t.Fatal("row error quotes personal data")
		}
	}
	if res, _ := e.svc.List(ctx, "", 1, 50); res.Total != 3 {
		t.Fatalf("%d beneficiaries, want 3", res.Total)
	}
}

func TestImport_RerunningTheSameFileCreatesNothing(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.ImportBatch = 10 })
	file := csvOf(0, 25)
	first := runImport(t, e.svc, file)
	second := runImport(t, e.svc, file)
	if first.Created != 25 || second.Created != 0 || second.Duplicates != 25 || second.Processed != 25 {
		t.Fatalf("first %+v\nsecond %+v", first, second)
	}
}

func TestImport_CountsDuplicatesWithinTheFile(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.ImportBatch = 4 })
	file := header + csvRow(1) + csvRow(2) +
		csvRow(1) + // same row again, same batch
		"Given2,Family,1990-01-02,OTHER1,,3,Camp,1234\n" + // same name and birth date as row 2
		csvRow(3) + csvRow(4) +
		strings.Replace(csvRow(3), "Given3", "Renamed", 1) // same id and phone as row 3, later batch
	im := runImport(t, e.svc, file)
	if im.Created != 4 || im.Duplicates != 3 || im.Failed != 0 || im.Processed != 7 {
		t.Fatalf("import %+v", im)
	}
}

func TestImport_WrongHeaderFailsTheJob(t *testing.T) {
	e := newEnv(t, nil)
	for name, file := range map[string]string{
		"missing column": "given_name,family_name,date_of_birth,national_id,phone,household_size,location\n" + csvRow(1),
		"data first":     csvRow(1),
		"empty":          "",
	} {
		t.Run(name, func(t *testing.T) {
			im := runImport(t, e.svc, file)
			if im.Status != enroll.ImportFailed || im.Created != 0 || !strings.Contains(im.Error, "first line must be") {
				t.Fatalf("import %+v", im)
			}
			if strings.Contains(im.Error, "Given1") {
				t.Fatal("job error quotes the file's content")
			}
		})
	}
	// A spreadsheet's byte-order mark is fine.
	if im := runImport(t, e.svc, "\ufeff"+csvOf(0, 2)); im.Status != enroll.ImportDone || im.Created != 2 {
		t.Fatalf("with BOM: %+v", im)
	}
}

func TestImport_ResumesAfterARestart(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.ImportBatch = 50 })
	// A job as a stopped process leaves it: running, with its file and its first batch committed.
	path := filepath.Join(e.cfg.ImportDir, "import-resume.csv")
	if err := os.WriteFile(path, []byte(csvOf(0, 120)), 0o600); err != nil {
		t.Fatal(err)
	}
	first := runImport(t, e.svc, csvOf(0, 50))
	e.db.Exec("UPDATE beneficiary_imports SET status = 'running', path = ?, total = 120, finished_at = NULL WHERE id = ?", path, first.ID)
	lost := uuid.Must(uuid.NewV7()).String()
	e.db.Exec("INSERT INTO beneficiary_imports (id, status, actor, path, total, processed, created, duplicates, failed, error_count, created_at, updated_at) VALUES (?, 'running', 'x', ?, 0, 0, 0, 0, 0, 0, ?, ?)",
		lost, filepath.Join(e.cfg.ImportDir, "gone.csv"), time.Now(), time.Now())

	svc2 := e.start(t)
	im := waitImport(t, svc2, first.ID, 30*time.Second)
	if im.Status != enroll.ImportDone || im.Processed != 120 || im.Created != 120 || im.Duplicates != 0 {
		t.Fatalf("resumed import %+v", im)
	}
	if gone := waitImport(t, svc2, lost, 5*time.Second); gone.Status != enroll.ImportFailed || gone.Error == "" {
		t.Fatalf("import without its file: %+v", gone)
	}
}

func TestImport_RefusesAnOversizedUpload(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.MaxImportBytes = 100 })
	_, err := e.svc.StartImport(ctx, "w", strings.NewReader(csvOf(0, 10)))
	wantAPIErr(t, err, "body_too_large", "")
}

func gzipOf(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImport_TakesTheFileGzippedAsItTakesItPlain(t *testing.T) {
	e := newEnv(t, nil)
	file := csvOf(0, 40)
	zipped := gzipOf(t, file)
	if len(zipped)*3 > len(file) {
		t.Fatalf("the test's CSV gzips from %d to %d bytes only", len(file), len(zipped))
	}
	started, err := e.svc.StartImport(ctx, "w", bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	im := waitImport(t, e.svc, started.ID, 60*time.Second)
	if im.Status != enroll.ImportDone || im.Total != 40 || im.Created != 40 || im.Failed != 0 {
		t.Fatalf("gzipped import %+v", im)
	}
	res, err := e.svc.List(ctx, "ID0000033", 1, 10)
	if err != nil || res.Total != 1 || res.Items[0].GivenName != "Given33" || res.Items[0].Location != "Camp, block 33" {
		t.Fatalf("imported row 33: %+v %v", res, err)
	}
	// The same rows again, plain: the file was read as the same CSV, so all are duplicates.
	if again := runImport(t, e.svc, file); again.Duplicates != 40 || again.Created != 0 {
		t.Fatalf("the plain file after the gzipped one: %+v", again)
	}
}

func TestImport_RefusesADamagedOrOversizedGzipFileAndKeepsNothing(t *testing.T) {
	zipped := gzipOf(t, csvOf(0, 200))
	tests := []struct {
		name, code string
		file       []byte
		max        int64
	}{
		{"cut short", "invalid_field", zipped[:len(zipped)/2], 0},
		{"a gzip header and then noise", "invalid_field", append([]byte{0x1f, 0x8b}, []byte("not really gzip at all")...), 0},
		{"a body flipped in the middle", "invalid_field", func() []byte {
			b := bytes.Clone(zipped)
			for i := len(b) / 3; i < len(b)/3+16; i++ {
				b[i] ^= 0xff
			}
			return b
		}(), 0},
		{"small gzipped, too large unpacked", "body_too_large", gzipOf(t, csvOf(0, 2000)), 10_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *enroll.Config) {
				if tc.max > 0 {
					c.MaxImportBytes = tc.max
				}
			})
			_, err := e.svc.StartImport(ctx, "w", bytes.NewReader(tc.file))
			field := "file"
			if tc.code == "body_too_large" {
				field = ""
			}
			wantAPIErr(t, err, tc.code, field)
			if left := uploadsIn(t, e.cfg.ImportDir); len(left) != 0 {
				t.Errorf("the refused upload was kept: %v", left)
			}
		})
	}
}

// TestImport_100kRows measures the bulk path; run with -run 100k -v (skipped with -short).
func TestImport_100kRows(t *testing.T) {
	if testing.Short() || os.Getenv("AIDLEDGER_IMPORT_100K") == "" {
		t.Skip("set AIDLEDGER_IMPORT_100K=1 to measure a 100,000-row import")
	}
	e := newEnv(t, nil)
	var b bytes.Buffer
	b.WriteString(header)
	for i := 0; i < 100_000; i++ {
		b.WriteString(csvRow(i))
	}
	start := time.Now()
	im, err := e.svc.StartImport(ctx, "w", &b)
	if err != nil {
		t.Fatal(err)
	}
	im = waitImport(t, e.svc, im.ID, 5*time.Minute)
	el := time.Since(start)
	t.Logf("100,000 rows in %s (%.0f rows/s): %+v", el, 100_000/el.Seconds(), struct{ Created, Duplicates, Failed int }{im.Created, im.Duplicates, im.Failed})
	if im.Created != 100_000 {
		t.Fatalf("import %+v", im)
	}
}

func FuzzImportCSV(f *testing.F) {
	f.Add([]byte(csvOf(0, 3)))
	f.Add([]byte(header + "a,b\n\"unterminated\n"))
	f.Add([]byte(header + csvRow(1) + csvRow(1) + "x,\"y\"z,1990-01-01,,,2,c,1234\n"))
	f.Add([]byte(header + "\"\"\"\",b,1990-01-01,,,2,\"c\nd\",1234\n"))
	f.Add([]byte("\ufeff" + header))
	e := newEnv(f, func(c *enroll.Config) { c.ImportBatch = 3 })
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := e.svc.StartImport(ctx, "fuzz", io.NopCloser(bytes.NewReader(data)))
		if err != nil {
			t.Fatal(err)
		}
		im = waitImport(t, e.svc, im.ID, 30*time.Second)
		if im.Status == enroll.ImportFailed {
			if im.Processed != 0 || im.Error == "" {
				t.Fatalf("failed import %+v", im)
			}
			return
		}
		if im.Processed != im.Created+im.Duplicates+im.Failed || im.Processed != im.Total {
			t.Fatalf("counts do not add up: %+v", im)
		}
		if im.Failed > 0 && im.ErrorCount < im.Failed {
			t.Fatalf("%d failed rows but %d errors", im.Failed, im.ErrorCount)
		}
	})
}

func TestImport_AServerResumesItsOwnImportsAndLeavesAReplicasAlone(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.ImportBatch = 50 })
	owner, err := os.ReadFile(filepath.Join(e.cfg.ImportDir, enroll.ImportOwnerFile))
	if err != nil {
		t.Fatal(err)
	}
	// Its own, recorded under the path the data directory had before it moved: found by name.
	if err := os.WriteFile(filepath.Join(e.cfg.ImportDir, "import-moved.csv"), []byte(csvOf(0, 60)), 0o600); err != nil {
		t.Fatal(err)
	}
	own := runImport(t, e.svc, csvOf(1000, 1001))
	e.db.Exec("UPDATE beneficiary_imports SET status = 'running', path = '/srv/old-data/imports/import-moved.csv', total = 60, processed = 0, created = 0, finished_at = NULL WHERE id = ?", own.ID)
	// A replica's, whose file is in that replica's data directory.
	replica := uuid.Must(uuid.NewV7()).String()
	e.db.Exec("INSERT INTO beneficiary_imports (id, status, actor, path, owner, total, processed, created, duplicates, failed, error_count, created_at, updated_at) VALUES (?, 'running', 'x', '/other/imports/import-1.csv', ?, 10, 5, 5, 0, 0, 0, ?, ?)",
		replica, uuid.NewString(), time.Now(), time.Now())

	svc2 := e.start(t)
	if im := waitImport(t, svc2, own.ID, 30*time.Second); im.Status != enroll.ImportDone || im.Processed != 60 {
		t.Fatalf("its own import, moved: %+v", im)
	}
	time.Sleep(100 * time.Millisecond)
	if im, err := svc2.GetImport(ctx, replica); err != nil || im.Status != enroll.ImportRunning || im.Error != "" {
		t.Fatalf("the replica's import: %+v, %v; want it left running", im, err)
	}
	again, err := os.ReadFile(filepath.Join(e.cfg.ImportDir, enroll.ImportOwnerFile))
	if err != nil || string(again) != string(owner) {
		t.Errorf("the directory's name changed across a restart: %q then %q", owner, again)
	}
	// A replica's import is a replica's: a new upload here is recorded as this directory's.
	var got string
	e.db.Raw("SELECT owner FROM beneficiary_imports WHERE id = ?", own.ID).Scan(&got)
	if got+"\n" != string(owner) {
		t.Errorf("an import here recorded the owner %q, want %q", got, owner)
	}
}

func TestImport_AReplicasImportWithoutProgressForHalfAnHourIsEndedAndItsPeopleStay(t *testing.T) {
	e := newEnv(t, nil)
	insert := func(owner string, updated time.Time) string {
		t.Helper()
		id := uuid.Must(uuid.NewV7()).String()
		if err := e.db.Exec("INSERT INTO beneficiary_imports (id, status, actor, path, owner, total, processed, created, duplicates, failed, error_count, created_at, updated_at) VALUES (?, 'running', 'x', '/other/imports/import-1.csv', ?, 10, 5, 5, 0, 0, 0, ?, ?)",
			id, owner, updated.Add(-time.Hour), updated).Error; err != nil {
			t.Fatal(err)
		}
		return id
	}
	now := time.Now().UTC()
	gone := insert(uuid.NewString(), now.Add(-enroll.AbandonedImportAfter-time.Minute))
	slow := insert(uuid.NewString(), now.Add(-enroll.AbandonedImportAfter+5*time.Minute))
	old := insert("", now.Add(-2*enroll.AbandonedImportAfter)) // from before imports named their directory: resumed as this server's

	svc := e.start(t)
	list, err := svc.ListImports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]enroll.Import{}
	for _, im := range list {
		status[im.ID] = im
	}
	if im := status[gone]; im.Status != enroll.ImportFailed || !strings.Contains(im.Error, "Upload the file again") || im.Created != 5 || im.FinishedAt == nil {
		t.Errorf("the import of a replica gone for half an hour: %+v; want it failed, its 5 people kept", im)
	}
	if im := status[slow]; im.Status != enroll.ImportRunning {
		t.Errorf("the import of a replica last seen 25 minutes ago: %+v; want it still running", im)
	}
	if im := status[old]; im.Status != enroll.ImportFailed || strings.Contains(im.Error, "Upload the file again to import the rest") {
		t.Errorf("an import from before owners: %+v; want it resumed as this server's (its file is lost)", im)
	}
	// A replica that comes back finds it ended: stopping it again is refused.
	if _, err := svc.StopImport(ctx, gone); !errors.Is(err, enroll.ErrImportFinished) {
		t.Errorf("stop after it was ended: %v", err)
	}
}

func TestStopImport_endsARunningImportWhereItIsAndKeepsWhatItCommitted(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.ImportBatch = 20 })
	im, err := e.svc.StartImport(ctx, "worker@test", strings.NewReader(csvOf(0, 20_000)))
	if err != nil {
		t.Fatal(err)
	}
	stopped, err := e.svc.StopImport(ctx, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stopped.Status != enroll.ImportFailed || !strings.Contains(stopped.Error, "Stopped") {
		t.Fatalf("stopped import %+v", stopped)
	}
	// The worker notices at its next batch and removes the upload.
	deadline := time.Now().Add(30 * time.Second)
	for len(uploadsIn(t, e.cfg.ImportDir)) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the upload is still there: the worker did not stop")
		}
		time.Sleep(10 * time.Millisecond)
	}
	end, err := e.svc.GetImport(ctx, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if end.Status != enroll.ImportFailed || end.Processed >= 20_000 || end.Created != end.Processed {
		t.Fatalf("after the stop: %+v; want it failed part-way, every committed row enrolled", end)
	}
	var enrolled int64
	e.db.Table("beneficiaries").Where("import_id = ?", im.ID).Count(&enrolled)
	if enrolled != int64(end.Created) {
		t.Errorf("%d beneficiaries enrolled by the import, it counts %d: a batch after the stop was kept", enrolled, end.Created)
	}

	_, err = e.svc.StopImport(ctx, im.ID)
	wantAPIErr(t, err, "import_finished", "")
	_, err = e.svc.StopImport(ctx, "01a21101-3c39-7c4e-bc3c-091516369641")
	wantAPIErr(t, err, "not_found", "")
}
