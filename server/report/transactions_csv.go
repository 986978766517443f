package report

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/aidledger/aidledger/server/spreadsheet"
)

// transactionColumns head WriteTransactionsCSV's file: Transaction's JSON fields.
var transactionColumns = []string{"time", "block_number", "log_index", "tx_hash", "kind", "program_id", "chain_program_id",
	"vendor", "vendor_name", "amount", "category", "beneficiary", "reason", "redemption"}

// csvPageSize is how many transactions WriteTransactionsCSV reads at a time.
var csvPageSize = MaxPageSize

// WriteTransactionsCSV writes every transaction Transactions lists (of one program, or with
// programID "" of all), newest first, as CSV: pages walked by cursor, so the file
// is the list as of its first page, whatever arrives while it is written, and memory stays one
// page. An error before the first row (an unknown program) is returned before anything is
// written.
func (s *Service) WriteTransactionsCSV(ctx context.Context, w io.Writer, programID string) error {
	page, err := s.Transactions(ctx, TransactionQuery{ProgramID: programID, Page: 1, PageSize: csvPageSize})
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(transactionColumns); err != nil {
		return err
	}
	for {
		for _, t := range page.Transactions {
			row := []string{t.Time.Format(time.RFC3339), strconv.FormatUint(t.BlockNumber, 10), strconv.FormatUint(uint64(t.LogIndex), 10),
				t.TxHash, t.Kind, t.ProgramID, strconv.FormatUint(t.ChainProgramID, 10), t.Vendor, spreadsheet.Text(t.VendorName),
				strconv.FormatInt(t.Amount, 10), t.Category, t.Beneficiary, t.Reason, t.Redemption}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil || page.NextAfter == "" {
			return err
		}
		if page, err = s.Transactions(ctx, TransactionQuery{ProgramID: programID, After: page.NextAfter, PageSize: csvPageSize}); err != nil {
			return err
		}
	}
}
