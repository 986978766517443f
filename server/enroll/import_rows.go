package enroll

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

type csvRecord struct {
	line   int
	fields []string
	err    *RowError
}

// csvRows reads an import file record by record. A record that is not valid CSV becomes a
// record carrying its error, so that it is counted and reported like any other bad row.
type csvRows struct {
	r    *csv.Reader
	stop bool
}

func newCSVRows(f io.Reader) (*csvRows, error) {
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1 // a wrong field count is a row error, not the end of the file
	c := &csvRows{r: r}
	rec, err := c.next()
	if err == io.EOF {
		return nil, ErrInvalidCSV.Withf("the file is empty; the first line must be %s", strings.Join(CSVHeader, ","))
	}
	if err != nil {
		return nil, err
	}
	if len(rec.fields) > 0 {
		rec.fields[0] = strings.TrimPrefix(rec.fields[0], "\ufeff") // spreadsheet byte-order mark
	}
	if rec.err != nil || strings.Join(rec.fields, ",") != strings.Join(CSVHeader, ",") {
		return nil, ErrInvalidCSV.Withf("the first line must be exactly %s", strings.Join(CSVHeader, ","))
	}
	return c, nil
}

func (c *csvRows) next() (csvRecord, error) {
	if c.stop {
		return csvRecord{}, io.EOF
	}
	before := c.r.InputOffset()
	fields, err := c.r.Read()
	if err == nil {
		line, _ := c.r.FieldPos(0)
		return csvRecord{line: line, fields: fields}, nil
	}
	if err == io.EOF {
		return csvRecord{}, err
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return csvRecord{}, fmt.Errorf("read import file: %w", err)
	}
	if c.r.InputOffset() == before {
		c.stop = true // no progress: nothing more can be read
	}
	return csvRecord{line: pe.StartLine, err: &RowError{Row: pe.StartLine, Message: "not valid CSV: " + pe.Err.Error()}}, nil
}

func (s *Service) runImport(ctx context.Context, job *importRow) error {
	f, err := os.Open(job.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	if job.Processed == 0 {
		// A first pass counts the rows for the progress bar; it costs a fraction of the import.
		rows, err := newCSVRows(f)
		if err != nil {
			return err
		}
		total := 0
		for {
			if _, err := rows.next(); err == io.EOF {
				break
			} else if err != nil {
				return err
			}
			total++
		}
		if err := s.db.WithContext(ctx).Model(&importRow{}).Where("id = ?", job.ID).Update("total", total).Error; err != nil {
			return err
		}
		job.Total = total
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
	rows, err := newCSVRows(f)
	if err != nil {
		return err
	}
	for i := 0; i < job.Processed; i++ { // resume after the last committed batch
		if _, err := rows.next(); err != nil {
			return fmt.Errorf("resume import: %w", err)
		}
	}
	batch := make([]csvRecord, 0, s.cfg.ImportBatch)
	for {
		rec, err := rows.next()
		if err != nil && err != io.EOF {
			return err
		}
		if err == nil {
			batch = append(batch, rec)
		}
		if len(batch) == cap(batch) || (err == io.EOF && len(batch) > 0) {
			if err := s.importBatch(ctx, job, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
		if err == io.EOF {
			return nil
		}
	}
}

type importCandidate struct {
	row beneficiaryRow
	lks []lookupRow
}

// importBatch validates, deduplicates and stores one batch in one transaction together with the
// job's progress: a row's beneficiary and lookups commit together, and a batch is either fully
// counted or not at all. Encryption and hashing happen before the transaction, so the write
// lock is held only for the inserts.
func (s *Service) importBatch(ctx context.Context, job *importRow, batch []csvRecord) error {
	now := time.Now().UTC()
	var errRows []importErrorRow
	failed, inFileDups := 0, 0
	cands := make([]importCandidate, 0, len(batch))
	seen := make(map[string]bool, 3*len(batch))
	for _, rec := range batch {
		if rec.err != nil {
			errRows = append(errRows, importErrorRow{ImportID: job.ID, Row: rec.line, Message: rec.err.Message})
			failed++
			continue
		}
		if len(rec.fields) != len(CSVHeader) {
			errRows = append(errRows, importErrorRow{ImportID: job.ID, Row: rec.line,
				Message: fmt.Sprintf("expected %d fields, found %d", len(CSVHeader), len(rec.fields))})
			failed++
			continue
		}
		f := rec.fields
		hh := parseHousehold(f[5])
		p, errs := s.prepare(Input{GivenName: f[0], FamilyName: f[1], DateOfBirth: f[2], NationalID: f[3], Phone: f[4],
			HouseholdSize: hh, Location: f[6], PIN: f[7]})
		if len(errs) > 0 {
			for _, e := range errs {
				errRows = append(errRows, importErrorRow{ImportID: job.ID, Row: rec.line, Field: e.Field, Message: e.Message})
			}
			failed++
			continue
		}
		row := s.newRow(&p, now)
		row.ImportID = &job.ID
		lks := s.lookups(row.ID, p.personal)
		dup := false
		for _, lk := range lks {
			dup = dup || seen[lk.Kind+string(lk.Hash)]
		}
		if dup { // an earlier row of this batch is the same person
			inFileDups++
			continue
		}
		for _, lk := range lks {
			seen[lk.Kind+string(lk.Hash)] = true
		}
		cands = append(cands, importCandidate{row: row, lks: lks})
	}

	var err error
	for attempt := 0; attempt < 5; attempt++ {
		for i := range errRows {
			errRows[i].ID = 0 // ids of a rolled-back attempt
		}
		var created, dups int
		err = store.InTx(ctx, s.db, func(tx *gorm.DB) error {
			if err := store.CustomPlans(tx); err != nil {
				return err
			}
			rows, lks, n, err := s.newInDB(tx, cands)
			if err != nil {
				return err
			}
			dups = n
			if len(rows) > 0 {
				if err := tx.CreateInBatches(&rows, 100).Error; err != nil {
					return err
				}
				if err := tx.CreateInBatches(&lks, 300).Error; err != nil {
					return err
				}
			}
			if len(errRows) > 0 {
				if err := tx.CreateInBatches(&errRows, 300).Error; err != nil {
					return err
				}
			}
			created = len(rows)
			// Guarded by the progress read at the start, so two processes resuming the same
			// job cannot both count a batch.
			res := tx.Model(&importRow{}).Where("id = ? AND status = ? AND processed = ?", job.ID, ImportRunning, job.Processed).
				Updates(map[string]any{
					"processed":   gorm.Expr("processed + ?", len(batch)),
					"created":     gorm.Expr("created + ?", created),
					"duplicates":  gorm.Expr("duplicates + ?", dups+inFileDups),
					"failed":      gorm.Expr("failed + ?", failed),
					"error_count": gorm.Expr("error_count + ?", len(errRows)),
					"updated_at":  now,
				})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != 1 {
				return errImportTaken
			}
			return nil
		})
		if err == nil {
			job.Processed += len(batch)
			job.Created += created
			job.Duplicates += dups + inFileDups
			job.Failed += failed
			return nil
		}
		// A concurrent enrollment took a hash or a card number between the check and the
		// insert (possible on PostgreSQL; SQLite serializes writers): check again.
		if !store.IsUniqueViolation(err) {
			break
		}
	}
	return fmt.Errorf("import batch: %w", err)
}

// newInDB drops the candidates already enrolled and gives fresh card numbers to those whose
// random one is taken. It returns the rows and lookups to insert and the duplicates dropped.
func (s *Service) newInDB(tx *gorm.DB, cands []importCandidate) ([]beneficiaryRow, []lookupRow, int, error) {
	byKind := map[string][][]byte{}
	for _, c := range cands {
		for _, lk := range c.lks {
			byKind[lk.Kind] = append(byKind[lk.Kind], lk.Hash)
		}
	}
	existing := map[string]bool{}
	for kind, hashes := range byKind {
		for start := 0; start < len(hashes); start += 500 {
			var found []lookupRow
			err := tx.Select("kind", "hash").Where("kind = ? AND hash IN ?", kind, hashes[start:min(start+500, len(hashes))]).Find(&found).Error
			if err != nil {
				return nil, nil, 0, err
			}
			for _, f := range found {
				existing[f.Kind+string(f.Hash)] = true
			}
		}
	}
	var rows []beneficiaryRow
	var lks []lookupRow
	dups := 0
	cards := make([]string, 0, len(cands))
	for _, c := range cands {
		dup := false
		for _, lk := range c.lks {
			dup = dup || existing[lk.Kind+string(lk.Hash)]
		}
		if dup {
			dups++
			continue
		}
		rows = append(rows, c.row)
		lks = append(lks, c.lks...)
		cards = append(cards, c.row.CardNumber)
	}
	if len(rows) == 0 {
		return nil, nil, dups, nil
	}
	var takenList []string
	if err := tx.Model(&beneficiaryRow{}).Where("card_number IN ?", cards).Pluck("card_number", &takenList).Error; err != nil {
		return nil, nil, 0, err
	}
	taken := make(map[string]bool, len(rows))
	for _, c := range takenList {
		taken[c] = true
	}
	inBatch := make(map[string]bool, len(rows))
	for i := range rows {
		for taken[rows[i].CardNumber] || inBatch[rows[i].CardNumber] {
			// Rare (10^10 numbers); a fresh draw could in theory be taken too, but then the
			// insert fails on the unique index and the whole batch is retried.
			rows[i].CardNumber = newCardNumber()
		}
		inBatch[rows[i].CardNumber] = true
	}
	return rows, lks, dups, nil
}
