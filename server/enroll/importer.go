package enroll

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
)

// CSVHeader is the exact first line an import file must have.
var CSVHeader = []string{"given_name", "family_name", "date_of_birth", "national_id", "phone", "household_size", "location", "pin"}

// RowError is one problem with one CSV row. Row is the line number in the file (the header is
// line 1); Field is empty when the row as a whole is bad. Messages never quote the value.
type RowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Import is a bulk import's progress. Every processed row is exactly one of created, duplicate
// (of an enrolled beneficiary or of an earlier row of the file) or failed (one or more errors).
type Import struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"` // running, done, failed
	Actor      string     `json:"actor"`
	Total      int        `json:"total"` // data rows in the file
	Processed  int        `json:"processed"`
	Created    int        `json:"created"`
	Duplicates int        `json:"duplicates"`
	Failed     int        `json:"failed"`
	Errors     []RowError `json:"errors"`      // the first MaxReportedErrors, by row
	ErrorCount int        `json:"error_count"` // all of them
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// MaxReportedErrors caps the row errors GetImport returns; ErrorCount counts them all.
const MaxReportedErrors = 1000

// StartImport stores the upload under Config.ImportDir (streamed, so memory stays bounded),
// records the job and imports it in the background; poll GetImport. Rows are committed in
// batches together with the job's progress, so an import stopped by Close or a crash resumes
// after its last committed batch when the next Service starts (it needs the same ImportDir).
//
// The file may come gzipped (recognised by its first bytes, whatever its name): a CSV shrinks
// four- to fivefold, which is minutes on a camp's uplink. It is stored decompressed, and
// Config.MaxImportBytes bounds the decompressed size.
func (s *Service) StartImport(ctx context.Context, actor string, src io.Reader) (Import, error) {
	if s.ctx.Err() != nil {
		return Import{}, errors.New("enroll: service closed")
	}
	src, gzipped, err := gunzipped(src)
	if err != nil {
		return Import{}, err
	}
	f, err := os.CreateTemp(s.cfg.ImportDir, "import-*.csv")
	if err != nil {
		return Import{}, fmt.Errorf("enroll: import upload: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(src, s.cfg.MaxImportBytes+1))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.cfg.MaxImportBytes {
		err = apierr.ErrTooLarge.Withf("the file is larger than %d bytes", s.cfg.MaxImportBytes)
	}
	if err != nil {
		os.Remove(f.Name())
		return Import{}, fmt.Errorf("enroll: import upload: %w", err)
	}
	now := time.Now().UTC()
	job := importRow{ID: uuid.Must(uuid.NewV7()).String(), Status: ImportRunning, Actor: actor, Path: f.Name(), Owner: s.owner, CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(&job).Error; err != nil {
		os.Remove(f.Name())
		return Import{}, fmt.Errorf("enroll: create import: %w", err)
	}
	s.log.InfoContext(ctx, "import started", "import", job.ID, "bytes", n, "gzipped", gzipped)
	s.startImport(job)
	return importView(job, nil), nil
}

// gunzipped returns src decompressed if it starts as gzip does, and src itself otherwise. A
// broken gzip stream, at its start or later, reads as an invalid_field error on "file".
func gunzipped(src io.Reader) (io.Reader, bool, error) {
	br := bufio.NewReader(src)
	if magic, _ := br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return br, false, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, true, apierr.Invalid("file", "the file starts as gzip but is not readable gzip: %v", err)
	}
	return gzipErrors{zr}, true, nil
}

// gzipErrors turns a gzip stream's read errors into the client's fault (invalid_field), as
// they are: a truncated or corrupt file. io.EOF stays io.EOF.
type gzipErrors struct{ r io.Reader }

func (g gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = apierr.Invalid("file", "the gzipped file is damaged: %v", err)
	}
	return n, err
}

// GetImport reads an import's progress.
func (s *Service) GetImport(ctx context.Context, id string) (Import, error) {
	db := s.db.WithContext(ctx)
	if err := s.endAbandonedImports(ctx); err != nil {
		return Import{}, err
	}
	var job importRow
	err := db.Take(&job, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Import{}, apierr.ErrNotFound.Withf("no import %s", id)
	}
	if err != nil {
		return Import{}, fmt.Errorf("enroll: get import: %w", err)
	}
	var errs []importErrorRow
	if err := db.Where("import_id = ?", id).Order("row, id").Limit(MaxReportedErrors).Find(&errs).Error; err != nil {
		return Import{}, fmt.Errorf("enroll: get import errors: %w", err)
	}
	return importView(job, errs), nil
}

func importView(j importRow, errs []importErrorRow) Import {
	out := Import{
		ID: j.ID, Status: j.Status, Actor: j.Actor, Total: j.Total, Processed: j.Processed, Created: j.Created,
		Duplicates: j.Duplicates, Failed: j.Failed, ErrorCount: j.ErrorCount, Error: j.Error,
		CreatedAt: j.CreatedAt, FinishedAt: j.FinishedAt, Errors: make([]RowError, len(errs)),
	}
	for i, e := range errs {
		out.Errors[i] = RowError{Row: e.Row, Field: e.Field, Message: e.Message}
	}
	return out
}

// AbandonedImportAfter is how long another replica's running import may go without a batch
// before any server ends it: that replica is gone (or has been down that long) with the file.
const AbandonedImportAfter = 30 * time.Minute

// errImportAbandoned is the message of an import ended by endAbandonedImports.
const errImportAbandoned = "The server importing this file stopped before the end and has not come back: the people enrolled before that stay enrolled. Upload the file again to import the rest (those already enrolled are recognised as duplicates)."

// endAbandonedImports ends, as failed, the running imports of other import directories (replicas
// sharing the database) that made no progress for AbandonedImportAfter: their file is in that
// replica's data directory, so no other server can finish them, and without this they stayed
// "running" until someone stopped them. A replica that comes back later finds them ended, as a
// stopped import, and leaves them. This server's own imports resume at its start instead.
//
// It runs when imports are read, at most once a minute, and writes only when a read found one:
// on SQLite any write, even one that changes nothing, waits for the one write connection that
// redemptions use.
func (s *Service) endAbandonedImports(ctx context.Context) error {
	now := time.Now().UTC()
	if last := s.abandonedChecked.Load(); last != 0 && now.Sub(time.Unix(0, last)) < time.Minute {
		return nil
	}
	s.abandonedChecked.Store(now.UnixNano())
	abandoned := func(db *gorm.DB) *gorm.DB {
		return db.Model(&importRow{}).Where("status = ? AND owner <> ? AND owner <> '' AND updated_at < ?",
			ImportRunning, s.owner, now.Add(-AbandonedImportAfter))
	}
	var ids []string
	if err := abandoned(s.db.WithContext(ctx)).Limit(1).Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
		return err
	}
	res := abandoned(s.db.WithContext(ctx)).
		Updates(map[string]any{"status": ImportFailed, "error": errImportAbandoned, "finished_at": now, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("enroll: end abandoned imports: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		s.log.WarnContext(ctx, "imports of a server that stopped ended", "imports", res.RowsAffected)
	}
	return nil
}

// resumeImports restarts the imports a previous process on this import directory left running
// (and those from before imports named their directory). Another replica's stay its own.
func (s *Service) resumeImports() error {
	if err := s.endAbandonedImports(context.Background()); err != nil {
		return err
	}
	var jobs []importRow
	if err := s.db.Where("status = ? AND (owner = ? OR owner = '')", ImportRunning, s.owner).Find(&jobs).Error; err != nil {
		return fmt.Errorf("find running imports: %w", err)
	}
	for _, j := range jobs {
		// Found by name in the directory as it is now: the data directory may have moved.
		j.Path = filepath.Join(s.cfg.ImportDir, filepath.Base(j.Path))
		if _, err := os.Stat(j.Path); err != nil {
			s.finish(j, errors.New("the uploaded file was lost in a restart; upload it again"))
			continue
		}
		s.log.Info("import resumed", "import", j.ID, "processed", j.Processed)
		s.startImport(j)
	}
	return nil
}

func (s *Service) startImport(job importRow) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.runImport(s.ctx, &job)
		if s.ctx.Err() != nil {
			return // stopped: stays running and resumes at the next start
		}
		s.finish(job, err)
	}()
}

// finish marks a job done (err nil) or failed, and removes its file.
func (s *Service) finish(job importRow, err error) {
	now := time.Now().UTC()
	upd := map[string]any{"status": ImportDone, "finished_at": now, "updated_at": now}
	if errors.Is(err, errImportTaken) {
		os.Remove(job.Path) // stopped (StopImport recorded it), or ended by the process that took it
		return
	}
	if err != nil {
		msg := "internal error; see the server log"
		if e, ok := apierr.As(err); ok {
			msg = e.Message
		} else {
			s.log.Error("import failed", "import", job.ID, "err", err)
		}
		upd["status"], upd["error"] = ImportFailed, msg
	}
	if derr := s.db.Model(&importRow{}).Where("id = ? AND status = ?", job.ID, ImportRunning).Updates(upd).Error; derr != nil {
		s.log.Error("import: record the end", "import", job.ID, "err", derr)
		return
	}
	os.Remove(job.Path)
	s.log.Info("import finished", "import", job.ID, "status", upd["status"])
}

var errImportTaken = errors.New("another process is running this import, or it was stopped")

// ErrImportFinished: the import has already ended (done, failed or stopped).
var ErrImportFinished = apierr.New(http.StatusConflict, "import_finished", "the import has already finished")

// StopImport stops a running import, e.g. of the wrong file: the rows committed so far stay
// enrolled (suspend or erase those that should not be), the rest of the file is not read, and
// the upload is removed. The job ends as failed, its error saying it was stopped, so clients
// that wait for done or failed see it end. The worker, wherever it runs, stops at its next
// batch: that batch's progress update finds the job no longer running and rolls the batch back.
func (s *Service) StopImport(ctx context.Context, id string) (Import, error) {
	now := time.Now().UTC()
	res := s.db.WithContext(ctx).Model(&importRow{}).Where("id = ? AND status = ?", id, ImportRunning).Updates(map[string]any{
		"status": ImportFailed, "error": "Stopped before the end: the people enrolled before that stay enrolled.", "finished_at": now, "updated_at": now,
	})
	if res.Error != nil {
		return Import{}, fmt.Errorf("enroll: stop import: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := s.GetImport(ctx, id); err != nil {
			return Import{}, err
		}
		return Import{}, ErrImportFinished
	}
	s.log.InfoContext(ctx, "import stopped", "import", id)
	return s.GetImport(ctx, id)
}
