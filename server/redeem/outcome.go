package redeem

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// onRedeemOutcome mirrors the chain's verdict on redemption intents into redemption rows and
// account reservations, inside the pipeline's transaction. Every move is a guarded transition
// (UPDATE … WHERE status = from), so a hook called again for the same outcome changes nothing,
// and a redemption whose block the chain lost goes back to pending with its money reserved again.
func (s *Service) onRedeemOutcome(tx *gorm.DB, intents []pipeline.Intent) error {
	for _, in := range intents {
		var r redemptionRow
		err := tx.Take(&r, "intent_id = ?", in.ID).Error
		if err == gorm.ErrRecordNotFound {
			continue // another package's redemption-kind intent (none today), or a test's
		}
		if err != nil {
			return fmt.Errorf("read redemption of intent %d: %w", in.ID, err)
		}
		to := StatusPending
		switch in.Status {
		case pipeline.IntentConfirmed:
			to = StatusConfirmed
		case pipeline.IntentFailed:
			to = StatusFailed
		}
		if to == r.Status {
			continue
		}
		if err := s.move(tx, r, to, in); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) move(tx *gorm.DB, r redemptionRow, to string, in pipeline.Intent) error {
	now := time.Now().UTC()
	fields := map[string]any{"status": to, "reason": in.Reason, "tx_hash": in.TxHash, "block_number": in.BlockNumber, "updated_at": now}
	if to == StatusPending {
		fields["final_at"], fields["reason"], fields["block_number"] = nil, "", 0
	} else {
		fields["final_at"] = now
	}
	if to == StatusConfirmed {
		fields["reason"] = ""
	}
	res := tx.Model(&redemptionRow{}).Where("id = ? AND status = ?", r.ID, r.Status).Updates(fields)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("redemption %s changed under the outcome hook", r.ID)
	}
	// The reservation follows the status: pending holds it, confirmed turns it into redeemed,
	// failed releases it.
	var pending, redeemed int64
	switch {
	case r.Status == StatusPending && to == StatusConfirmed:
		pending, redeemed = -r.Amount, r.Amount
	case r.Status == StatusPending && to == StatusFailed:
		pending = -r.Amount
	case r.Status == StatusConfirmed && to == StatusPending:
		pending, redeemed = r.Amount, -r.Amount
	case r.Status == StatusFailed && to == StatusPending:
		pending = r.Amount
	case r.Status == StatusConfirmed && to == StatusFailed:
		redeemed = -r.Amount
	case r.Status == StatusFailed && to == StatusConfirmed:
		redeemed = r.Amount
	}
	if to != StatusPending && r.Status != StatusPending {
		s.log.Warn("redemption outcome changed after being final", "id", r.ID, "from", r.Status, "to", to)
	}
	return tx.Model(&accountRow{}).Where("program_id = ? AND beneficiary_id = ?", r.ProgramID, r.BeneficiaryID).
		Updates(map[string]any{"pending": gorm.Expr("pending + ?", pending), "redeemed": gorm.Expr("redeemed + ?", redeemed), "updated_at": now}).Error
}
