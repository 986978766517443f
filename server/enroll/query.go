package enroll

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
)

// Page sizes of List.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Page is one page of a list.
type Page struct {
	Items    []Beneficiary `json:"items"`
	Total    int64         `json:"total"` // every match; not counted by ListAfter
	Page     int           `json:"page"`
	PageSize int           `json:"page_size"`
	// NextAfter is the cursor of the next page (ListAfter's after) when this one is full.
	NextAfter string `json:"next_after,omitempty"`
}

// List returns beneficiaries, newest first. Names and ids are encrypted, so q matches exactly,
// never by substring: a card number (with or without separators), a national id, a phone, or a
// full name in either order ("Amina Khalil" = "khalil amina"), each normalized as at enrollment.
// An empty q lists everyone. page counts from 1; pageSize defaults to 50, at most 200.
func (s *Service) List(ctx context.Context, q string, page, pageSize int) (Page, error) {
	if page == 0 {
		page = 1
	}
	if page < 1 {
		return Page{}, apierr.Invalid("page", "must be 1 or more")
	}
	return s.list(ctx, q, "", page, pageSize)
}

// ListAfter is List by cursor: the page after the beneficiary whose id is after (a previous
// page's NextAfter), without a total. Paging by number costs the database every skipped row,
// and a count of every match on each page: reading a million cards page by page took five
// minutes that way. By cursor each page costs its own rows.
func (s *Service) ListAfter(ctx context.Context, q, after string, pageSize int) (Page, error) {
	if _, err := uuid.Parse(after); err != nil {
		return Page{}, apierr.Invalid("after", "must be the next_after of a previous page")
	}
	return s.list(ctx, q, after, 0, pageSize)
}

func (s *Service) list(ctx context.Context, q, after string, page, pageSize int) (Page, error) {
	if pageSize == 0 {
		pageSize = DefaultPageSize
	}
	if pageSize < 1 || pageSize > MaxPageSize {
		return Page{}, apierr.Invalid("page_size", "must be from 1 to %d", MaxPageSize)
	}
	out := Page{Items: []Beneficiary{}, Page: page, PageSize: pageSize}
	db := s.db.WithContext(ctx)
	where := db.Model(&beneficiaryRow{})
	if q = strings.TrimSpace(q); q != "" {
		cond, ok := s.searchCondition(db, q)
		if !ok {
			return out, nil
		}
		where = where.Where(cond)
	}
	rowsQ := where.Session(&gorm.Session{}).Order("id DESC").Limit(pageSize)
	if after != "" {
		rowsQ = rowsQ.Where("id < ?", after)
	} else {
		if err := where.Session(&gorm.Session{}).Count(&out.Total).Error; err != nil {
			return Page{}, fmt.Errorf("enroll: list: %w", err)
		}
		rowsQ = rowsQ.Offset((page - 1) * pageSize)
	}
	var rows []beneficiaryRow
	// UUIDv7 ids grow with time, so id order is enrollment order.
	if err := rowsQ.Find(&rows).Error; err != nil {
		return Page{}, fmt.Errorf("enroll: list: %w", err)
	}
	for i := range rows {
		b, err := s.view(&rows[i])
		if err != nil {
			return Page{}, err
		}
		out.Items = append(out.Items, b)
	}
	if len(rows) == pageSize {
		out.NextAfter = rows[len(rows)-1].ID
	}
	return out, nil
}

// searchCondition is every reading of q at once (a string of digits may be a card, a phone or a
// national id). ok is false when q can be none of them.
func (s *Service) searchCondition(db *gorm.DB, q string) (*gorm.DB, bool) {
	cond := db.Where("1 = 0")
	found := false
	if c, err := ParseCardNumber(q); err == nil {
		cond, found = cond.Or("card_number = ?", c), true
	}
	var hashes [][]byte
	var kinds []string
	if id, ok := normalizeNationalID(q); ok {
		hashes, kinds = append(hashes, s.lookupHash(lookupNationalID, id)), append(kinds, lookupNationalID)
	}
	if ph, ok := normalizePhone(q, s.cfg.DefaultCountryCode); ok {
		hashes, kinds = append(hashes, s.lookupHash(lookupPhone, ph)), append(kinds, lookupPhone)
	}
	for i := range hashes {
		sub := db.Model(&lookupRow{}).Select("beneficiary_id").Where("kind = ? AND hash = ?", kinds[i], hashes[i])
		cond, found = cond.Or("id IN (?)", sub), true
	}
	if t := foldTokens(q); len(t) >= 2 {
		sort.Strings(t)
		cond, found = cond.Or("name_key = ?", s.lookupHash("name", strings.Join(t, " "))), true
	}
	return cond, found
}

// Recipient is what allocation needs about a beneficiary.
type Recipient struct {
	ID            string
	ChainID       [32]byte
	HouseholdSize int
}

const recipientChunk = 500

// Recipients streams active beneficiaries to fn in chunks of up to 500, in id order. With
// allActive, every active beneficiary (those at location only, when it is given, in any letter
// case: a cycle for one camp; and those importID enrolled only, when it is given: a first cycle
// for a newly registered group); otherwise exactly ids, after checking that each exists and is
// active (if not, ErrIneligible names the unknown and suspended ones in Details and fn is never
// called). fn's error stops the stream and is returned.
func (s *Service) Recipients(ctx context.Context, ids []string, allActive bool, location, importID string, fn func([]Recipient) error) error {
	db := s.db.WithContext(ctx)
	if allActive {
		if importID != "" {
			if ok, err := importExists(db, importID); err != nil {
				return fmt.Errorf("enroll: recipients: %w", err)
			} else if !ok {
				return apierr.Invalid("import_id", "no import %s", importID)
			}
		}
		after := ""
		for {
			var rows []beneficiaryRow
			q := db.Select("id", "chain_id", "household_size").Where("status = ? AND id > ?", StatusActive, after)
			if location = collapseSpaces(location); location != "" {
				q = q.Where("LOWER(location) = LOWER(?)", location)
			}
			if importID != "" {
				q = q.Where("import_id = ?", importID) // ix_beneficiaries_import
			}
			err := q.Order("id").Limit(recipientChunk).Find(&rows).Error
			if err != nil {
				return fmt.Errorf("enroll: recipients: %w", err)
			}
			if len(rows) == 0 {
				return nil
			}
			if err := fn(recipients(rows)); err != nil {
				return err
			}
			after = rows[len(rows)-1].ID
		}
	}
	uniq := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	sort.Strings(uniq)
	// First pass: check every id before anything is streamed, so an allocation is all or nothing.
	var unknown, suspended []string
	for start := 0; start < len(uniq); start += recipientChunk {
		chunk := uniq[start:min(start+recipientChunk, len(uniq))]
		var rows []beneficiaryRow
		if err := db.Select("id", "status").Where("id IN ?", chunk).Find(&rows).Error; err != nil {
			return fmt.Errorf("enroll: recipients: %w", err)
		}
		status := make(map[string]string, len(rows))
		for _, r := range rows {
			status[r.ID] = r.Status
		}
		for _, id := range chunk {
			switch st, ok := status[id]; {
			case !ok:
				unknown = append(unknown, id)
			case st != StatusActive:
				suspended = append(suspended, id)
			}
		}
	}
	if len(unknown)+len(suspended) > 0 {
		e := ErrIneligible.Withf("%d unknown and %d suspended beneficiaries", len(unknown), len(suspended))
		return e.WithDetail("unknown", nonNil(unknown)).WithDetail("suspended", nonNil(suspended))
	}
	for start := 0; start < len(uniq); start += recipientChunk {
		chunk := uniq[start:min(start+recipientChunk, len(uniq))]
		var rows []beneficiaryRow
		if err := db.Select("id", "chain_id", "household_size").Where("id IN ? AND status = ?", chunk, StatusActive).
			Order("id").Find(&rows).Error; err != nil {
			return fmt.Errorf("enroll: recipients: %w", err)
		}
		if len(rows) != len(chunk) {
			return ErrIneligible.Withf("beneficiaries changed status during the allocation; try again")
		}
		if err := fn(recipients(rows)); err != nil {
			return err
		}
	}
	return nil
}

func recipients(rows []beneficiaryRow) []Recipient {
	out := make([]Recipient, len(rows))
	for i, r := range rows {
		out[i] = Recipient{ID: r.ID, ChainID: common.HexToHash(r.ChainID), HouseholdSize: r.HouseholdSize}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// LocationCount is how many active beneficiaries one location holds.
type LocationCount struct {
	Location string `json:"location"`
	Active   int64  `json:"active"`
}

// Locations lists the locations of active beneficiaries with their counts, largest first: what
// an allocation can be aimed at. A location is a camp or district, never a person's address.
func (s *Service) Locations(ctx context.Context) ([]LocationCount, error) {
	out := []LocationCount{}
	err := s.db.WithContext(ctx).Model(&beneficiaryRow{}).Select("location, COUNT(*) AS active").
		Where("status = ?", StatusActive).Group("location").Order("active DESC, location").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("enroll: locations: %w", err)
	}
	return out, nil
}
