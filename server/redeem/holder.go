package redeem

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/enroll"
)

// HolderView is what the holder of a card sees of it on the public balance page: whether it
// works, the balance per program and the latest purchases. No name and no personal data: it is
// shown to whoever has the card number and its PIN, as a shop's balance check is.
type HolderView struct {
	Status    string           `json:"status"` // active, or suspended (shops refuse it)
	Balances  []Balance        `json:"balances"`
	Purchases []HolderPurchase `json:"purchases"` // the latest fifty, newest first
	// PurchasesTotal counts every purchase on the card, so a page can say that older ones exist
	// (an aid worker sees them all in the beneficiary's record).
	PurchasesTotal int64 `json:"purchases_total"`
}

// HolderPurchase is one sale on the card as its holder sees it: where, when, how much, and what
// of it was given back.
type HolderPurchase struct {
	At        time.Time `json:"at"`
	Shop      string    `json:"shop"`
	ProgramID string    `json:"program_id"`
	Category  string    `json:"category"`
	Amount    int64     `json:"amount"`
	Refunded  int64     `json:"refunded"`
	Status    string    `json:"status"`
	TxHash    string    `json:"tx_hash,omitempty"`
}

// holderPurchases is how many of the latest purchases the holder is sent: a few months of
// shopping for most, in one answer, since the PIN is sent once and kept nowhere (a second page
// would need it again). The page shows them ten at a time.
var holderPurchases = 50 // a variable for tests

// ErrWrongCardOrPIN answers an unknown card, a replaced one and a wrong PIN alike on the public
// page, which would otherwise tell anyone which card numbers exist.
var ErrWrongCardOrPIN = apierr.New(http.StatusUnprocessableEntity, "wrong_card_or_pin",
	"the card number or the PIN is not correct; after five wrong PINs the card locks until an aid worker resets it")

// Holder checks a card's PIN for its holder, asking from client (their address), and returns
// what they may see of the card. A wrong PIN counts against the card as at a shop (five lock
// it), and against the client as against a shop: an address that keeps guessing is paused. An
// unknown card counts against the client too, so card numbers cannot be tried at speed either.
// This is how a holder finds out, away from the shop, what a shop charged them.
func (s *Service) Holder(ctx context.Context, client, cardNumber, pin string) (HolderView, error) {
	if pin == "" {
		return HolderView{}, apierr.Invalid("pin", "is required")
	}
	if err := s.holderPins.check(client); err != nil {
		return HolderView{}, err
	}
	card, err := s.cards.ResolveCard(ctx, cardNumber)
	if err == nil {
		err = s.cards.VerifyPIN(ctx, card.ID, pin)
	}
	// A locked card is answered alike too: "locked" would tell a guesser that the number is a
	// card (an unknown number never locks), and the answer's message says that five wrong PINs
	// lock it.
	if errors.Is(err, enroll.ErrUnknownCard) || errors.Is(err, enroll.ErrCardReplaced) || errors.Is(err, enroll.ErrWrongPIN) ||
		errors.Is(err, enroll.ErrCardLocked) {
		if s.holderPins.failed(client) {
			s.log.WarnContext(ctx, "too many wrong card numbers or PINs from one address: its balance checks are paused",
				"wrong", s.cfg.ShopWrongPINs, "within", s.cfg.ShopPINWindow)
		}
		return HolderView{}, ErrWrongCardOrPIN
	}
	if err != nil {
		return HolderView{}, err
	}
	out := HolderView{Status: card.Status, Purchases: []HolderPurchase{}}
	if out.Balances, err = s.balancesOf(ctx, card.ID); err != nil {
		return HolderView{}, err
	}
	page, err := s.List(ctx, Filter{BeneficiaryID: card.ID, PageSize: holderPurchases})
	if err != nil {
		return HolderView{}, err
	}
	out.PurchasesTotal = page.Total
	shops := map[string]string{}
	for _, r := range page.Redemptions {
		name, ok := shops[r.VendorID]
		if !ok {
			if v, err := s.programs.Vendor(ctx, r.VendorID); err == nil {
				name = v.Name
			}
			shops[r.VendorID] = name
		}
		out.Purchases = append(out.Purchases, HolderPurchase{At: r.CreatedAt, Shop: name, ProgramID: r.ProgramID,
			Category: r.Category, Amount: r.Amount, Refunded: r.Refunded, Status: r.Status, TxHash: r.TxHash})
	}
	return out, nil
}
