package programs

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/store"
)

// Vendor statuses. A vendor is pending until its approval is confirmed on chain, then
// approved; suspended from the moment it is suspended (its revocation follows on chain);
// failed if the chain refused the approval (reinstating tries again).
const (
	VendorPending   = "pending"
	VendorApproved  = "approved"
	VendorSuspended = "suspended"
	VendorFailed    = "failed"
)

// Categories is the vocabulary of vendor categories.
var Categories = ledger.Categories()

// VendorRequest creates a vendor.
type VendorRequest struct {
	Name       string   `json:"name"`
	Location   string   `json:"location"`
	Categories []string `json:"categories"`
}

// Vendor is a vendor's view. Address is its identity on chain.
type Vendor struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Address    string   `json:"address"`
	Status     string   `json:"status"`
	Location   string   `json:"location"`
	Categories []string `json:"categories"`
}

func vendorView(r vendorRow) Vendor {
	return Vendor{ID: r.ID, Name: r.Name, Address: r.Address, Status: r.Status, Location: r.Location, Categories: splitCategories(r.Categories)}
}

// splitCategories reads a vendor row's comma-separated categories.
func splitCategories(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

var slugRE = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

func (r *VendorRequest) validate() error {
	r.Name = strings.TrimSpace(r.Name)
	r.Location = strings.TrimSpace(r.Location)
	if n := utf8.RuneCountInString(r.Name); n < 1 || n > 200 {
		return apierr.Invalid("name", "must be 1 to 200 characters")
	}
	if utf8.RuneCountInString(r.Location) > 200 {
		return apierr.Invalid("location", "must be at most 200 characters")
	}
	if len(r.Categories) == 0 {
		return apierr.Invalid("categories", "must name at least one of %s", strings.Join(Categories, ", "))
	}
	var cats []string
	for _, c := range r.Categories {
		c = strings.ToLower(strings.TrimSpace(c))
		if !slugRE.MatchString(c) || !slices.Contains(Categories, c) {
			return apierr.Invalid("categories", "%q is not one of %s", c, strings.Join(Categories, ", "))
		}
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	r.Categories = cats
	return nil
}

// CreateVendor records a vendor with a fresh address and enqueues its approval on chain.
func (s *Service) CreateVendor(ctx context.Context, actor string, req VendorRequest) (Vendor, error) {
	if err := req.validate(); err != nil {
		return Vendor{}, err
	}
	addr, err := newVendorAddress()
	if err != nil {
		return Vendor{}, err
	}
	row := vendorRow{ID: newID(), Name: req.Name, Location: req.Location, Categories: strings.Join(req.Categories, ","),
		Address: addr.Hex(), Status: VendorPending, Version: 1, CreatedBy: actor, CreatedAt: now(), UpdatedAt: now()}
	err = store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		_, err := s.p.Enqueue(ctx, tx, pipeline.CallIntent(vendorRef(row.ID, "approve", row.Version), ledgerABI.PackApproveVendor(addr)))
		return err
	})
	if err != nil {
		return Vendor{}, fmt.Errorf("create vendor %q: %w", req.Name, err)
	}
	return vendorView(row), nil
}

// VendorPatch corrects a vendor's record; fields left out stay as they are. The chain knows a
// vendor by its address only, so none of these is a chain write.
type VendorPatch struct {
	Name       *string   `json:"name,omitempty"`
	Location   *string   `json:"location,omitempty"`
	Categories *[]string `json:"categories,omitempty"`
}

// UpdateVendor corrects a vendor's name, location or categories (a typo, a shop that moved).
// Reports name vendors from the record when they are read, so past sales follow the correction.
func (s *Service) UpdateVendor(ctx context.Context, actor, id string, p VendorPatch) (Vendor, error) {
	var row vendorRow
	err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if row, err = s.vendorRow(tx.WithContext(ctx), "id = ?", id); err != nil {
			return err
		}
		req := vendorView(row)
		next := VendorRequest{Name: req.Name, Location: req.Location, Categories: req.Categories}
		if p.Name != nil {
			next.Name = *p.Name
		}
		if p.Location != nil {
			next.Location = *p.Location
		}
		if p.Categories != nil {
			next.Categories = *p.Categories
		}
		if err := next.validate(); err != nil {
			return err
		}
		row.Name, row.Location, row.Categories, row.UpdatedAt = next.Name, next.Location, strings.Join(next.Categories, ","), now()
		return tx.Model(&vendorRow{}).Where("id = ?", id).
			Updates(map[string]any{"name": row.Name, "location": row.Location, "categories": row.Categories, "updated_at": row.UpdatedAt}).Error
	})
	if err != nil {
		return Vendor{}, fmt.Errorf("update vendor %s: %w", id, err)
	}
	return vendorView(row), nil
}

// newVendorAddress derives an address from a fresh random key that is then forgotten: vendors
// never sign (see the package documentation).
func newVendorAddress() (common.Address, error) {
	k, err := crypto.GenerateKey()
	if err != nil {
		return common.Address{}, fmt.Errorf("vendor key: %w", err)
	}
	return crypto.PubkeyToAddress(k.PublicKey), nil
}

func vendorRef(id, what string, version int) string {
	return "vendor:" + id + ":" + what + ":" + strconv.Itoa(version)
}

// SuspendVendor revokes a vendor's approval, off chain at once and on chain through the
// pipeline. Suspending a suspended vendor changes nothing.
func (s *Service) SuspendVendor(ctx context.Context, actor, id string) (Vendor, error) {
	return s.moveVendor(ctx, id, VendorSuspended, "revoke", func(a common.Address) []byte { return ledgerABI.PackRevokeVendor(a) })
}

// ReinstateVendor approves a suspended (or failed) vendor again; it is pending until the chain
// confirms. Reinstating an approved or pending vendor changes nothing.
func (s *Service) ReinstateVendor(ctx context.Context, actor, id string) (Vendor, error) {
	return s.moveVendor(ctx, id, VendorPending, "approve", func(a common.Address) []byte { return ledgerABI.PackApproveVendor(a) })
}

func (s *Service) moveVendor(ctx context.Context, id, to, call string, pack func(common.Address) []byte) (Vendor, error) {
	var row vendorRow
	err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if row, err = s.vendorRow(tx.WithContext(ctx), "id = ?", id); err != nil {
			return err
		}
		if row.Status == to || (to == VendorPending && row.Status == VendorApproved) {
			return nil
		}
		res := tx.Model(&vendorRow{}).Where("id = ? AND version = ?", id, row.Version).
			Updates(map[string]any{"status": to, "version": row.Version + 1, "updated_at": now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apierr.ErrConflict.Withf("the vendor changed meanwhile; try again")
		}
		row.Status, row.Version = to, row.Version+1
		_, err = s.p.Enqueue(ctx, tx, pipeline.CallIntent(vendorRef(id, call, row.Version), pack(common.HexToAddress(row.Address))))
		return err
	})
	if err != nil {
		return Vendor{}, fmt.Errorf("%s vendor %s: %w", call, id, err)
	}
	return vendorView(row), nil
}

// vendorCallSettled follows an approval or revocation. Only the latest call (by version) moves
// the status, so an old approval confirmed after a suspension does not undo it.
func (s *Service) vendorCallSettled(tx *gorm.DB, rest string, in pipeline.Intent) error {
	parts := strings.Split(rest, ":") // <id>:<approve|revoke>:<version>
	if len(parts) != 3 {
		return nil
	}
	version, err := strconv.Atoi(parts[2])
	if err != nil {
		return nil
	}
	id, call := parts[0], parts[1]
	if in.Status == pipeline.IntentFailed {
		s.log.Error("vendor call failed on chain", "vendor", id, "call", call, "reason", in.Reason)
	}
	if call != "approve" {
		return nil
	}
	var from, to string
	switch in.Status {
	case pipeline.IntentConfirmed:
		from, to = VendorPending, VendorApproved
	case pipeline.IntentFailed:
		from, to = VendorPending, VendorFailed
	default:
		from, to = VendorApproved, VendorPending
	}
	return tx.Model(&vendorRow{}).Where("id = ? AND version = ? AND status = ?", id, version, from).
		Updates(map[string]any{"status": to, "updated_at": now()}).Error
}

// Vendor reads one vendor.
func (s *Service) Vendor(ctx context.Context, id string) (Vendor, error) {
	row, err := s.vendorRow(s.db.WithContext(ctx), "id = ?", id)
	if err != nil {
		return Vendor{}, err
	}
	return vendorView(row), nil
}

// VendorByAddress finds the vendor with the given on-chain address (any case).
func (s *Service) VendorByAddress(ctx context.Context, address string) (Vendor, error) {
	if !common.IsHexAddress(address) {
		return Vendor{}, apierr.Invalid("address", "must be a 0x-prefixed 20-byte hex address")
	}
	row, err := s.vendorRow(s.db.WithContext(ctx), "address = ?", common.HexToAddress(address).Hex())
	if err != nil {
		return Vendor{}, err
	}
	return vendorView(row), nil
}

// Vendors lists vendors in creation order, and the cursor of the next page ("" on the last).
func (s *Service) Vendors(ctx context.Context, pg Page) ([]Vendor, string, error) {
	var rows []vendorRow
	if err := pg.apply(s.db.WithContext(ctx)).Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list vendors: %w", err)
	}
	out := make([]Vendor, len(rows))
	for i, r := range rows {
		out[i] = vendorView(r)
	}
	return out, next(out, pg.limit(), func(v Vendor) string { return v.ID }), nil
}

func (s *Service) vendorRow(db *gorm.DB, where string, arg any) (vendorRow, error) {
	var row vendorRow
	err := db.Where(where, arg).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, fmt.Errorf("vendor %v: %w", arg, apierr.ErrNotFound)
	}
	if err != nil {
		return row, fmt.Errorf("read vendor %v: %w", arg, err)
	}
	return row, nil
}

func bigInt(v int64) *big.Int { return big.NewInt(v) }
