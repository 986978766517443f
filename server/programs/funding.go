package programs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/store"
)

// Funding statuses, as the API shows them.
const (
	FundingPending   = "pending"
	FundingConfirmed = "confirmed"
	FundingFailed    = "failed"
)

// FundRequest records a donor's contribution.
type FundRequest struct {
	Amount int64  `json:"amount"` // minor units, > 0
	Donor  string `json:"donor"`  // the donor's name or agreement reference; never goes on chain
}

// Funding is a contribution's view. TxHash is empty until the pipeline has signed it.
type Funding struct {
	ID        string `json:"id"`
	ProgramID string `json:"program_id"`
	Amount    int64  `json:"amount"`
	Donor     string `json:"donor"`
	Status    string `json:"status"`
	TxHash    string `json:"tx_hash"`
}

func fundingView(r fundingRow) Funding {
	return Funding{ID: r.ID, ProgramID: r.ProgramID, Amount: r.Amount, Donor: r.Donor, Status: r.Status, TxHash: r.TxHash}
}

// Fund records a contribution and enqueues it on chain in one transaction, then waits (at most
// Config.FundWait) for the chain's answer and returns what is known by then.
func (s *Service) Fund(ctx context.Context, actor, programID string, req FundRequest) (Funding, error) {
	req.Donor = strings.TrimSpace(req.Donor)
	if req.Amount <= 0 {
		return Funding{}, apierr.Invalid("amount", "must be a positive number of minor units")
	}
	if n := utf8.RuneCountInString(req.Donor); n < 1 || n > 200 {
		return Funding{}, apierr.Invalid("donor", "must be 1 to 200 characters")
	}
	row := fundingRow{ID: newID(), ProgramID: programID, Amount: req.Amount, Donor: req.Donor,
		Status: FundingPending, CreatedBy: actor, CreatedAt: now(), UpdatedAt: now()}
	err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		prog, err := s.programRow(ctx, tx, programID)
		if err != nil {
			return err
		}
		// A pending program may be funded: its creation is ahead of the funding on lane 0.
		if prog.Status == ProgramClosed || prog.Status == ProgramFailed {
			return ErrProgramInactive
		}
		ref, err := donorRef(tx, req.Donor)
		if err != nil {
			return err
		}
		row.DonorRef = ref.Hex()
		in, err := s.p.Enqueue(ctx, tx, pipeline.CallIntent("fund:"+row.ID,
			ledgerABI.PackFund(prog.ChainProgramID, bigInt(req.Amount), ref)))
		if err != nil {
			return err
		}
		row.IntentID = in[0].ID
		return tx.Create(&row).Error
	})
	if err != nil {
		return Funding{}, fmt.Errorf("fund program %s: %w", programID, err)
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.FundWait)
	defer cancel()
	in, err := s.p.Wait(wctx, row.IntentID)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		s.log.Warn("read funding intent", "funding", row.ID, "err", err)
	}
	v := fundingView(row)
	applyIntent(&v, in)
	return v, nil
}

// applyIntent fills a funding's status from its intent, which may be ahead of the row (the
// transaction is signed, or its outcome hook committed after our read).
func applyIntent(v *Funding, in pipeline.Intent) {
	if in.ID == 0 {
		return
	}
	v.TxHash, v.Status = in.TxHash, in.Outcome()
}

// Funding reads one contribution.
func (s *Service) Funding(ctx context.Context, id string) (Funding, error) {
	var row fundingRow
	err := s.db.WithContext(ctx).Where("id = ?", id).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Funding{}, fmt.Errorf("funding %s: %w", id, apierr.ErrNotFound)
	}
	if err != nil {
		return Funding{}, fmt.Errorf("read funding %s: %w", id, err)
	}
	v := fundingView(row)
	if row.Status == FundingPending {
		in, err := s.p.Get(ctx, row.IntentID)
		if err != nil {
			return Funding{}, fmt.Errorf("read funding %s intent: %w", id, err)
		}
		applyIntent(&v, in)
	}
	return v, nil
}

// Fundings lists a program's contributions in the order they were recorded.
func (s *Service) Fundings(ctx context.Context, programID string, pg Page) ([]Funding, string, error) {
	if _, err := s.programRow(ctx, s.db, programID); err != nil {
		return nil, "", err
	}
	var rows []fundingRow
	if err := pg.apply(s.db.WithContext(ctx).Where("program_id = ?", programID)).Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list fundings of %s: %w", programID, err)
	}
	out := make([]Funding, len(rows))
	for i, r := range rows {
		out[i] = fundingView(r)
	}
	return out, next(out, pg.limit(), func(f Funding) string { return f.ID }), nil
}

func (s *Service) fundingSettled(tx *gorm.DB, id string, in pipeline.Intent) error {
	status := in.Outcome()
	if status == FundingFailed {
		s.log.Error("funding failed on chain", "funding", id, "reason", in.Reason)
	}
	return tx.Model(&fundingRow{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "tx_hash": in.TxHash, "reason": in.Reason, "updated_at": now()}).Error
}

// donorRef is the donor's opaque on-chain reference: keccak256 of a random key drawn the first
// time the donor (by normalised name) funds anything. See the package documentation.
func donorRef(tx *gorm.DB, donor string) (common.Hash, error) {
	name := strings.ToLower(strings.Join(strings.Fields(donor), " "))
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return common.Hash{}, err
	}
	row := donorRow{ID: newID(), Name: name, Ref: crypto.Keccak256Hash(key[:]).Hex(), CreatedAt: now()}
	// The first funding of a donor creates its row; a concurrent one keeps the row that won.
	if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoNothing: true}).Create(&row).Error; err != nil {
		return common.Hash{}, fmt.Errorf("record donor: %w", err)
	}
	var stored donorRow
	if err := tx.Where("name = ?", name).First(&stored).Error; err != nil {
		return common.Hash{}, fmt.Errorf("read donor: %w", err)
	}
	return common.HexToHash(stored.Ref), nil
}
