package redeem

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// onRedeemOutcome mirrors the chain's verdict on redemption intents into redemption rows, inside
// the pipeline's transaction. Every move is a guarded transition (UPDATE … WHERE status = from),
// so a hook called again for the same outcome changes nothing, and a redemption whose block the
// chain lost goes back to pending (and so counts as spent again: spent is summed from statuses).
// Redemptions that move alike (typically a whole batch) move in one statement.
func (s *Service) onRedeemOutcome(tx *gorm.DB, intents []pipeline.Intent) error {
	byIntent := make(map[int64]pipeline.Intent, len(intents))
	ids := make([]int64, len(intents))
	for i, in := range intents {
		byIntent[in.ID], ids[i] = in, in.ID
	}
	var rows []redemptionRow
	if err := tx.Select("id", "intent_id", "status").Where("intent_id IN ?", ids).Find(&rows).Error; err != nil {
		return fmt.Errorf("read redemptions of %d intents: %w", len(ids), err)
	}
	type move struct {
		from, to, reason, txHash string
		block                    uint64
	}
	groups := map[move][]string{}
	now := dbNow()
	for _, r := range rows {
		in := byIntent[r.IntentID]
		m := move{from: r.Status, to: in.Outcome(), txHash: in.TxHash, block: in.BlockNumber}
		if m.to == StatusFailed {
			m.reason = in.Reason
		}
		if m.to == StatusPending {
			m.txHash, m.block = "", 0
		}
		if m.to == m.from {
			continue
		}
		if m.from != StatusPending && m.to != StatusPending {
			s.log.Warn("redemption outcome changed after being final", "id", r.ID, "from", m.from, "to", m.to)
		}
		groups[m] = append(groups[m], r.ID)
		s.finals.offer(r.IntentID, final{status: m.to, reason: m.reason, txHash: m.txHash, block: m.block, at: now})
	}
	for m, ids := range groups {
		fields := map[string]any{"status": m.to, "reason": m.reason, "tx_hash": m.txHash, "block_number": m.block, "updated_at": now, "final_at": now}
		if m.to == StatusPending {
			fields["final_at"] = nil
		}
		res := tx.Model(&redemptionRow{}).Where("id IN ? AND status = ?", ids, m.from).Updates(fields)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != int64(len(ids)) {
			return fmt.Errorf("%d redemptions changed under the outcome hook", int64(len(ids))-res.RowsAffected)
		}
	}
	return nil
}
