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
	// A redemption's intent has its chain ref for ref (pipeline.RedeemIntent), and the chain ref
	// is unique, hence indexed anyway: reading by it spares an index on intent_id that every
	// acceptance wrote and only this read used (migration 7).
	byRef := make(map[string]pipeline.Intent, len(intents))
	refs := make([]string, len(intents))
	for i, in := range intents {
		refs[i] = "0x" + in.Ref
		byRef[refs[i]] = in
	}
	var rows []redemptionRow
	if err := tx.Select("id", "chain_ref", "intent_id", "status").Where("chain_ref IN ?", refs).Find(&rows).Error; err != nil {
		return fmt.Errorf("read redemptions of %d intents: %w", len(refs), err)
	}
	if len(rows) != len(intents) {
		// A bug, not a state to refuse: failing here would stop the lane's settling for good.
		s.log.Error("settled redemption intents without their redemptions", "intents", len(intents), "found", len(rows))
	}
	type move struct {
		from, to, reason, txHash string
		block                    uint64
	}
	groups := map[move][]string{}
	now := dbNow()
	for _, r := range rows {
		in := byRef[r.ChainRef]
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
