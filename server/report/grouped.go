package report

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/spreadsheet"
)

// GroupBy values of ProgramReport.
const (
	ByVendor   = "vendor"
	ByCategory = "category"
	ByLocation = "location"
	ByDay      = "day"
	ByWeek     = "week"
)

var groupings = []string{ByVendor, ByCategory, ByLocation, ByDay, ByWeek}

// Report is a program's redemptions grouped one way.
type Report struct {
	AsOfBlock uint64 `json:"as_of_block"`
	ProgramID string `json:"program_id"`
	GroupBy   string `json:"group_by"`
	Currency  string `json:"currency"`
	Rows      []Row  `json:"rows"`
}

// Row is one group: its key (vendor name, category, location, YYYY-MM-DD or ISO week like
// 2026-W48), the amount redeemed in minor units net of refunds (a refund counts on its own day),
// and the number of redemptions.
type Row struct {
	Key    string `json:"key"`
	Amount int64  `json:"amount"`
	Count  int64  `json:"count"`
}

// cellRow is a rollup cell read back: a day and a vendor or a category.
type cellRow struct {
	Day      string
	Vendor   string
	Category uint8
	Amount   int64
	Count    int64
}

// ProgramReport groups a program's redemptions by vendor, category, location, day or week
// (UTC block time), counting those whose block time is in [from, to); a zero bound is open.
//
// Whole days come from the daily rollups; the parts of the first and last day that the bounds cut
// are summed from the events themselves, so any bounds give exact figures.
func (s *Service) ProgramReport(ctx context.Context, programID, groupBy string, from, to time.Time) (Report, error) {
	out := Report{ProgramID: programID, GroupBy: groupBy, Rows: []Row{}}
	if !slices.Contains(groupings, groupBy) {
		return out, apierr.Invalid("group_by", "must be one of %s", strings.Join(groupings, ", "))
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return out, apierr.Invalid("to", "must be after from")
	}
	info, ok, err := s.program(ctx, programID)
	if err != nil {
		return out, err
	}
	if !ok {
		return out, apierr.ErrNotFound.Withf("no program %q", programID)
	}
	out.Currency = info.Currency
	if err := s.refresh(ctx); err != nil {
		return out, err
	}
	byVendor := groupBy == ByVendor || groupBy == ByLocation
	var cells []cellRow
	err = s.readTx(ctx, func(tx *gorm.DB, cur Cursor) error {
		out.AsOfBlock = cur.AsOfBlock
		days, edges := splitDays(from, to)
		var err error
		if byVendor && days.open() {
			err = tx.Model(&Vendor{}).Select("vendor, amount, count").Where("program_id = ?", info.ChainID).Scan(&cells).Error
		} else if !days.empty() {
			q := tx.Where("program_id = ?", info.ChainID)
			if days.from != "" {
				q = q.Where("day >= ?", days.from)
			}
			if days.to != "" {
				q = q.Where("day < ?", days.to)
			}
			if byVendor {
				err = q.Model(&VendorDay{}).Select("vendor, SUM(amount) AS amount, SUM(count) AS count").Group("vendor").Scan(&cells).Error
			} else {
				err = q.Model(&CategoryDay{}).Select("day, category, amount, count").Scan(&cells).Error
			}
		}
		if err != nil {
			return err
		}
		for _, e := range edges {
			// The block_time index finds the first and last event of the partial day; the
			// (program_id, kind, id) index then reads that id range alone. Event ids follow block
			// order (one indexer inserts blocks in order), and block times never go backwards.
			var first, last index.Event
			if err := tx.Select("id").Where("block_time >= ? AND block_time < ? AND id <= ?", e[0], e[1], cur.LastEventID).
				Order("block_time, id").Limit(1).Find(&first).Error; err != nil {
				return err
			}
			if first.ID == 0 {
				continue
			}
			if err := tx.Select("id").Where("block_time >= ? AND block_time < ? AND id <= ?", e[0], e[1], cur.LastEventID).
				Order("block_time DESC, id DESC").Limit(1).Find(&last).Error; err != nil {
				return err
			}
			edge := edgeRedemptions(tx, info.ChainID, first.ID, last.ID, e[0], e[1])
			if byVendor {
				// Summed by the database: a partial day holds thousands of redemptions, and
				// reading each into Go was most of a bounded report's time.
				var sums []cellRow
				if err := edge.Select("vendor, SUM(CASE WHEN kind = ? THEN -amount ELSE amount END) AS amount, "+
					"SUM(CASE WHEN kind = ? THEN 0 ELSE 1 END) AS count", index.KindRefunded, index.KindRefunded).
					Group("vendor").Scan(&sums).Error; err != nil {
					return err
				}
				cells = append(cells, sums...)
				continue
			}
			var evs []index.Event
			if err := edge.Select("kind, vendor, ref, amount, block_time").Find(&evs).Error; err != nil {
				return err
			}
			for _, ev := range evs {
				c := cellRow{Day: dayOf(ev.BlockTime), Vendor: ev.Vendor, Category: categoryOf(ev.Ref), Amount: ev.Amount, Count: 1}
				if ev.Kind == index.KindRefunded {
					c.Amount, c.Count = -ev.Amount, 0
				}
				cells = append(cells, c)
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("program report: %w", err)
	}
	keyOf, err := s.keyer(ctx, groupBy, cells)
	if err != nil {
		return out, err
	}
	groups := map[string]*Row{}
	for _, c := range cells {
		k := keyOf(c)
		r, ok := groups[k]
		if !ok {
			r = &Row{Key: k}
			groups[k] = r
		}
		r.Amount += c.Amount
		r.Count += c.Count
	}
	for _, r := range groups {
		out.Rows = append(out.Rows, *r)
	}
	slices.SortFunc(out.Rows, func(a, b Row) int {
		if groupBy == ByDay || groupBy == ByWeek {
			return strings.Compare(a.Key, b.Key)
		}
		return cmp.Or(cmp.Compare(b.Amount, a.Amount), strings.Compare(a.Key, b.Key))
	})
	return out, nil
}

// keyer returns how a cell is named in the grouping.
func (s *Service) keyer(ctx context.Context, groupBy string, cells []cellRow) (func(cellRow) string, error) {
	switch groupBy {
	case ByCategory:
		return func(c cellRow) string { return ledger.Category(c.Category).String() }, nil
	case ByDay:
		return func(c cellRow) string { return c.Day }, nil
	case ByWeek:
		return func(c cellRow) string { return isoWeek(c.Day) }, nil
	}
	var addrs []string
	seen := map[string]bool{}
	for _, c := range cells {
		if !seen[c.Vendor] {
			seen[c.Vendor] = true
			addrs = append(addrs, c.Vendor)
		}
	}
	infos, err := s.vendorInfos(ctx, addrs)
	if err != nil {
		return nil, err
	}
	if groupBy == ByLocation {
		return func(c cellRow) string {
			if v, ok := infos[c.Vendor]; ok && v.Location != "" {
				return v.Location
			}
			return "unknown"
		}, nil
	}
	return func(c cellRow) string {
		if v, ok := infos[c.Vendor]; ok && v.Name != "" {
			return v.Name
		}
		return c.Vendor
	}, nil
}

// isoWeek names the ISO 8601 week of a YYYY-MM-DD day, e.g. "2026-W48".
func isoWeek(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// dayRange is a range of whole UTC days [from, to) as YYYY-MM-DD; "" is open.
type dayRange struct {
	from, to string
	none     bool
}

func (d dayRange) open() bool  { return !d.none && d.from == "" && d.to == "" }
func (d dayRange) empty() bool { return d.none || (d.from != "" && d.to != "" && d.from >= d.to) }

// splitDays splits [from, to) into whole days, read from the rollups, and at most two partial days
// at the edges, read from the events.
func splitDays(from, to time.Time) (dayRange, [][2]time.Time) {
	var d dayRange
	var edges [][2]time.Time
	const day = 24 * time.Hour
	var lo, hi time.Time // whole days [lo, hi)
	if !from.IsZero() {
		from = from.UTC()
		lo = from.Truncate(day)
		if !lo.Equal(from) {
			lo = lo.Add(day)
		}
	}
	if !to.IsZero() {
		to = to.UTC()
		hi = to.Truncate(day)
	}
	if !from.IsZero() && !to.IsZero() && lo.After(hi) { // both bounds inside one day
		return dayRange{none: true}, [][2]time.Time{{from, to}}
	}
	if !from.IsZero() {
		d.from = dayOf(lo)
		if !lo.Equal(from) {
			edges = append(edges, [2]time.Time{from, lo})
		}
	}
	if !to.IsZero() {
		d.to = dayOf(hi)
		if !hi.Equal(to) {
			edges = append(edges, [2]time.Time{hi, to})
		}
	}
	return d, edges
}

// WriteCSV writes a report as CSV: a header (the grouping, amount, count) and one line per row.
// A key that a spreadsheet would run as a formula (a vendor named "=HYPERLINK(…)") is quoted
// with a leading apostrophe.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	group := r.GroupBy
	if group == "" {
		group = "key"
	}
	if err := cw.Write([]string{group, "amount", "count"}); err != nil {
		return err
	}
	for _, row := range r.Rows {
		if err := cw.Write([]string{spreadsheet.Text(row.Key), strconv.FormatInt(row.Amount, 10), strconv.FormatInt(row.Count, 10)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// edgeRedemptions are a program's redemptions and refunds among the events first..last (by id)
// that fall in [from, to): a partial day at a report's edge. The (program_id, kind, id) index
// reads that id range alone, once for each kind.
func edgeRedemptions(tx *gorm.DB, programID uint64, first, last int64, from, to time.Time) *gorm.DB {
	return tx.Model(&index.Event{}).
		Where("program_id = ? AND kind IN ? AND id >= ? AND id <= ? AND block_time >= ? AND block_time < ?",
			programID, []string{index.KindRedeemed, index.KindRefunded}, first, last, from, to)
}
