package pipeline

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// Fee bumping. A transaction signed at one price can stop being minable while it waits: on a
// network with a fee market the base fee can outgrow its fee cap (it rises by an eighth per full
// block), and the operator of a permissioned network can raise the minimum tip, after which the
// node drops it from its pool and refuses it on every re-send. Re-sending the same bytes would
// then stall the lane for good (every later nonce waits behind this one), so a late transaction
// in either case is replaced by the same call at the same nonce with a higher price. Only one
// version can be mined, since they share the nonce; the lane follows all of them (Tx.PriorHashes)
// until one is.

// reprice decides whether a late transaction needs a better-priced version, and at what price.
// tip and feeCap are the current version's; baseFee is the head's (nil before London); refusal is
// the node's answer to the last send ("" when it took it); floor is the configured tip and
// ceiling the most the pipeline offers per gas. capped reports a replacement the ceiling
// prevented.
func reprice(tip, feeCap, baseFee, floor, ceiling *big.Int, refusal string) (newTip, newFeeCap *big.Int, ok, capped bool) {
	refused, minimum := refusedPrice(refusal)
	// Priced out: at the next block's highest possible base fee, the fee cap no longer pays
	// the whole tip.
	pricedOut := baseFee != nil && new(big.Int).Sub(feeCap, tip).Cmp(nextBaseFeeBound(baseFee)) < 0
	if !refused && !pricedOut {
		return nil, nil, false, false
	}
	newTip = bigMax(floor, bumped(tip))
	if refused {
		if minimum != nil {
			newTip = bigMax(newTip, minimum)
		} else {
			newTip = bigMax(newTip, new(big.Int).Mul(tip, big.NewInt(2)))
		}
	}
	newFeeCap = bigMax(bumped(feeCap), new(big.Int).Add(newTip, new(big.Int).Mul(nextBaseFeeBound(baseFee), big.NewInt(2))))
	if newFeeCap.Cmp(ceiling) > 0 {
		newFeeCap = new(big.Int).Set(ceiling)
		if newTip.Cmp(ceiling) > 0 {
			newTip = new(big.Int).Set(ceiling)
		}
	}
	// A node replaces a pooled transaction only for 10 % more on both (go-ethereum's default
	// price bump): below that the replacement would only be refused.
	if !atLeastTenPercentMore(newTip, tip) || !atLeastTenPercentMore(newFeeCap, feeCap) {
		return nil, nil, false, true
	}
	return newTip, newFeeCap, true, false
}

// nextBaseFeeBound is the highest base fee the next block can have (EIP-1559: an eighth more
// than a full parent's); zero before London.
func nextBaseFeeBound(baseFee *big.Int) *big.Int {
	if baseFee == nil {
		return new(big.Int)
	}
	return new(big.Int).Add(baseFee, new(big.Int).Add(new(big.Int).Div(baseFee, big.NewInt(8)), big.NewInt(1)))
}

// bumped is x plus an eighth, rounded up, and at least one more.
func bumped(x *big.Int) *big.Int {
	return new(big.Int).Add(x, new(big.Int).Add(new(big.Int).Div(x, big.NewInt(8)), big.NewInt(1)))
}

func atLeastTenPercentMore(n, old *big.Int) bool {
	return new(big.Int).Mul(n, big.NewInt(100)).Cmp(new(big.Int).Mul(old, big.NewInt(110))) >= 0
}

func bigMax(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return new(big.Int).Set(a)
	}
	return new(big.Int).Set(b)
}

// minimumNeeded is how go-ethereum names the pool's minimum tip when it refuses a lower one.
var minimumNeeded = regexp.MustCompile(`minimum needed (\d+)`)

// refusedPrice says whether a send's error means the node refused the transaction's price, and
// the minimum it named, if any. The phrases are go-ethereum's, Besu's and Nethermind's. A
// "replacement transaction underpriced" is not one: it means another transaction, not one of
// ours (each of ours is priced above the one before), holds the nonce in the pool, and
// outbidding it is not the pipeline's call; the nonce check decides what happens then.
func refusedPrice(errText string) (bool, *big.Int) {
	s := strings.ToLower(errText)
	if s == "" || strings.Contains(s, "replacement") {
		return false, nil
	}
	refused := false
	for _, p := range []string{"underpriced", "gas price below minimum", "below configured minimum",
		"gas_price_too_low", "feetoolow", "fee too low", "less than block base fee"} {
		if strings.Contains(s, p) {
			refused = true
			break
		}
	}
	if !refused {
		return false, nil
	}
	if m := minimumNeeded.FindStringSubmatch(s); m != nil {
		if n, ok := new(big.Int).SetString(m[1], 10); ok {
			return true, n
		}
	}
	return true, nil
}

// bumpIfPricedOut replaces a late transaction with a better-priced version when the node refused
// its price or the base fee outgrew it. The new version is stored before it is sent, as every
// transaction is: after a crash, recovery re-sends it, and the lane still looks for the receipts
// of the earlier versions.
func (l *lane) bumpIfPricedOut(ctx context.Context, t *Tx) error {
	var cur types.Transaction
	if err := cur.UnmarshalBinary(t.Raw); err != nil {
		return nil // send records it as unreadable
	}
	head, err := l.p.chain.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("read head: %w", err)
	}
	tip, feeCap, ok, capped := reprice(cur.GasTipCap(), cur.GasFeeCap(), head.BaseFee, l.p.cfg.TipCap, l.p.cfg.MaxFeeCap, t.Error)
	if capped {
		l.log.Warn("transaction priced out, but a better price would pass the fee ceiling; re-sending it as it is",
			"tx", t.Hash, "nonce", t.Nonce, "fee_cap", cur.GasFeeCap(), "max_fee_cap", l.p.cfg.MaxFeeCap)
	}
	if !ok {
		return nil
	}
	next, err := types.SignNewTx(l.key, l.signer, &types.DynamicFeeTx{
		ChainID: l.p.cfg.ChainID, Nonce: cur.Nonce(), GasTipCap: tip, GasFeeCap: feeCap,
		Gas: cur.Gas(), To: cur.To(), Data: cur.Data(),
	})
	if err != nil {
		return fmt.Errorf("sign replacement of %s: %w", t.Hash, err)
	}
	raw, err := next.MarshalBinary()
	if err != nil {
		return err
	}
	hash := next.Hash().Hex()
	prior := strings.TrimSpace(t.PriorHashes + " " + t.Hash)
	err = l.p.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		if err := store.CustomPlans(db); err != nil {
			return err
		}
		res := db.Model(&Tx{}).Where("id = ? AND hash = ? AND status IN ?", t.ID, t.Hash, []string{TxSigned, TxSent}).
			Updates(map[string]any{"hash": hash, "raw": raw, "prior_hashes": prior, "error": ""})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("transaction %s changed under this lane", t.Hash)
		}
		return db.Model(&Intent{}).Where("tx_id = ? AND status = ?", t.ID, IntentSubmitted).Update("tx_hash", hash).Error
	})
	if err != nil {
		return fmt.Errorf("store replacement of %s: %w", t.Hash, err)
	}
	refused, _ := refusedPrice(t.Error)
	l.log.Info("transaction re-priced", "old_tx", t.Hash, "tx", hash, "nonce", t.Nonce,
		"tip", tip, "fee_cap", feeCap, "base_fee", head.BaseFee, "price_refused", refused)
	t.Hash, t.Raw, t.PriorHashes, t.Error = hash, raw, prior, ""
	return nil
}

// receipt is the receipt of whichever version of t was mined, if any.
func (l *lane) receipt(ctx context.Context, t *Tx) (*types.Receipt, error) {
	for _, h := range t.versions() {
		rc, err := l.p.chain.Client.TransactionReceipt(ctx, common.HexToHash(h))
		if err == nil && rc != nil {
			return rc, nil
		}
		if err != nil && !notFoundYet(err) {
			return nil, fmt.Errorf("receipt of %s: %w", h, err)
		}
	}
	return nil, nil
}

// versions are the hashes of every version of the transaction, t.Hash first, then the prior
// ones latest first.
func (t *Tx) versions() []string {
	v := []string{t.Hash}
	prior := strings.Fields(t.PriorHashes)
	for i := len(prior) - 1; i >= 0; i-- {
		v = append(v, prior[i])
	}
	return v
}

// minedVersion makes the mined version t's hash, keeping the others as prior hashes, so that the
// transaction and its intents name the hash the chain has.
func (t *Tx) minedVersion(mined string) {
	if mined == t.Hash {
		return
	}
	var others []string
	for _, h := range strings.Fields(t.PriorHashes) {
		if h != mined {
			others = append(others, h)
		}
	}
	t.PriorHashes = strings.Join(append(others, t.Hash), " ")
	t.Hash = mined
}
