package redeem

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// onRedeemOutcome mirrors the chain's verdict on redemption intents into redemption rows, inside
// the pipeline's transaction. Every move is a guarded transition (UPDATE … WHERE status = from),
// so a hook called again for the same outcome changes nothing, and a redemption whose block the
// chain lost goes back to pending (and so counts as spent again: spent is everything redeemed
// less the failed ones' failed_amount).
// Redemptions that move alike (typically a whole batch) move in one statement.
func (s *Service) onRedeemOutcome(tx *gorm.DB, intents []pipeline.Intent) error {
	// A redemption's intent has its chain ref for ref (pipeline.RedeemIntent), and the chain
	// ref begins with the redemption's id: the batch is read by primary key (migration 8), and
	// each row's ref is checked against its intent's.
	byID := make(map[string]pipeline.Intent, len(intents))
	ids := make([]string, len(intents))
	for i, in := range intents {
		ids[i] = redemptionIDOf("0x" + in.Ref)
		byID[ids[i]] = in
	}
	var found []redemptionRow
	if err := outcomeRowsQuery(tx, ids).Find(&found).Error; err != nil {
		return fmt.Errorf("read redemptions of %d intents: %w", len(ids), err)
	}
	rows := found[:0]
	for _, r := range found {
		if r.ChainRef == "0x"+byID[r.ID].Ref {
			rows = append(rows, r)
		}
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
		in := byID[r.ID]
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
		// failed_amount is set only by a failure and cleared only by leaving it: a redemption
		// confirmed from pending keeps every indexed column as it was (migration 9).
		fields := map[string]any{"status": m.to, "reason": m.reason, "tx_hash": m.txHash, "block_number": m.block, "updated_at": now, "final_at": now}
		if m.to == StatusPending {
			fields["final_at"] = nil
		}
		if m.to == StatusFailed {
			fields["failed_amount"] = gorm.Expr("amount")
		} else if m.from == StatusFailed {
			fields["failed_amount"] = 0
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

// redemptionIDOf is the id of the redemption whose chain ref (0x-hex) this is.
func redemptionIDOf(chainRef string) string {
	return ledger.ParseRef(common.HexToHash(chainRef)).ID.String()
}

func outcomeRowsQuery(tx *gorm.DB, ids []string) *gorm.DB {
	return tx.Model(&redemptionRow{}).Select("id", "chain_ref", "intent_id", "status").Where("id IN ?", ids)
}
