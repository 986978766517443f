package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/report"
)

func TestSummary_MatchesTheChainHistory(t *testing.T) {
	w := newWorld(t)
	s := w.play()
	w.sync()

	got, err := w.svc.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	head, indexed := w.ix.Progress()
	if got.AsOfBlock != indexed || indexed != head || head < s.lastBlock {
		t.Errorf("as_of_block %d, indexed %d, head %d, history's last block %d", got.AsOfBlock, indexed, head, s.lastBlock)
	}
	if got.ChainID != w.ChainID.Uint64() || got.Contract != w.Contract.Hex() {
		t.Errorf("chain %d contract %s", got.ChainID, got.Contract)
	}
	want := []report.ProgramSummary{
		{ID: "prog-food", ChainProgramID: 1, Name: "Winter food", Currency: "EUR", Funded: 10000, Allocated: 2500, Redeemed: 650,
			Settled: 150, Expired: 400, Outstanding: 1450, Beneficiaries: 3, Vendors: 4, Redemptions: 4},
		{ID: "prog-shelter", ChainProgramID: 2, Name: "Shelter", Currency: "USD", Funded: 500, Allocated: 200, Redeemed: 50,
			Outstanding: 150, Beneficiaries: 1, Vendors: 1, Redemptions: 1},
	}
	if !reflect.DeepEqual(got.Programs, want) {
		t.Errorf("programs\n got %+v\nwant %+v", got.Programs, want)
	}
}

func TestProgramReport_GroupsRedemptions(t *testing.T) {
	w := newWorld(t)
	s := w.play()
	w.sync()
	day1, day2 := s.firstRedemptions.Format(time.DateOnly), s.laterRedemptions.Format(time.DateOnly)
	y1, w1 := s.firstRedemptions.ISOWeek()
	y2, w2 := s.laterRedemptions.ISOWeek()
	week1, week2 := fmt.Sprintf("%d-W%02d", y1, w1), fmt.Sprintf("%d-W%02d", y2, w2)
	weeks := []report.Row{{Key: week1, Amount: 500, Count: 2}, {Key: week2, Amount: 150, Count: 2}}
	if week1 == week2 {
		weeks = []report.Row{{Key: week1, Amount: 650, Count: 4}}
	}
	tests := []struct {
		groupBy string
		want    []report.Row
	}{
		{report.ByVendor, []report.Row{
			{Key: "Pharmacy", Amount: 300, Count: 1}, {Key: "Bakery", Amount: 200, Count: 1},
			{Key: "Market", Amount: 100, Count: 1}, {Key: stranger.Hex(), Amount: 50, Count: 1},
		}},
		{report.ByLocation, []report.Row{{Key: "North", Amount: 300, Count: 2}, {Key: "South", Amount: 300, Count: 1}, {Key: "unknown", Amount: 50, Count: 1}}},
		{report.ByCategory, []report.Row{
			{Key: "medicine", Amount: 300, Count: 1}, {Key: "food", Amount: 200, Count: 1},
			{Key: "hygiene", Amount: 100, Count: 1}, {Key: "fuel", Amount: 50, Count: 1},
		}},
		{report.ByDay, []report.Row{{Key: day1, Amount: 500, Count: 2}, {Key: day2, Amount: 150, Count: 2}}},
		{report.ByWeek, weeks},
	}
	for _, tt := range tests {
		t.Run(tt.groupBy, func(t *testing.T) {
			got, err := w.svc.ProgramReport(context.Background(), "prog-food", tt.groupBy, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Rows, tt.want) {
				t.Errorf("rows\n got %+v\nwant %+v", got.Rows, tt.want)
			}
			if got.AsOfBlock == 0 || got.Currency != "EUR" {
				t.Errorf("as_of_block %d currency %q", got.AsOfBlock, got.Currency)
			}
		})
	}
}

func TestProgramReport_FiltersByBlockTime(t *testing.T) {
	w := newWorld(t)
	s := w.play()
	w.sync()
	first, later := s.firstRedemptions, s.laterRedemptions
	midnight := later.Truncate(24 * time.Hour)
	tests := []struct {
		name     string
		from, to time.Time
		want     []report.Row
	}{
		{"open", time.Time{}, time.Time{}, []report.Row{{Key: "food", Amount: 200, Count: 1}, {Key: "fuel", Amount: 50, Count: 1}, {Key: "hygiene", Amount: 100, Count: 1}, {Key: "medicine", Amount: 300, Count: 1}}},
		{"from a whole day on", midnight, time.Time{}, []report.Row{{Key: "fuel", Amount: 50, Count: 1}, {Key: "hygiene", Amount: 100, Count: 1}}},
		{"until a whole day", time.Time{}, midnight, []report.Row{{Key: "food", Amount: 200, Count: 1}, {Key: "medicine", Amount: 300, Count: 1}}},
		{"from is inclusive, mid-day", first, time.Time{}, []report.Row{{Key: "food", Amount: 200, Count: 1}, {Key: "fuel", Amount: 50, Count: 1}, {Key: "hygiene", Amount: 100, Count: 1}, {Key: "medicine", Amount: 300, Count: 1}}},
		{"from just after the first batch", first.Add(time.Second), time.Time{}, []report.Row{{Key: "fuel", Amount: 50, Count: 1}, {Key: "hygiene", Amount: 100, Count: 1}}},
		{"to is exclusive, mid-day", time.Time{}, later, []report.Row{{Key: "food", Amount: 200, Count: 1}, {Key: "medicine", Amount: 300, Count: 1}}},
		{"one second, inside one day", later, later.Add(time.Second), []report.Row{{Key: "fuel", Amount: 50, Count: 1}, {Key: "hygiene", Amount: 100, Count: 1}}},
		{"nothing in range", first.Add(time.Second), first.Add(2 * time.Second), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := w.svc.ProgramReport(context.Background(), "prog-food", report.ByCategory, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			rows := sortedByKey(got.Rows)
			if len(rows) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows\n got %+v\nwant %+v", rows, tt.want)
			}
		})
	}
	// The vendor grouping reads other rollups; the same bounds give the same totals.
	got, err := w.svc.ProgramReport(context.Background(), "prog-food", report.ByVendor, first.Add(time.Second), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []report.Row{{Key: "Market", Amount: 100, Count: 1}, {Key: stranger.Hex(), Amount: 50, Count: 1}}
	if !reflect.DeepEqual(got.Rows, want) {
		t.Errorf("by vendor from %s: %+v", first.Add(time.Second), got.Rows)
	}
}

func sortedByKey(rows []report.Row) []report.Row {
	out := append([]report.Row(nil), rows...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Key < out[i].Key {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestProgramReport_RejectsBadInput(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	tests := []struct {
		name, program, groupBy string
		from, to               time.Time
		want                   error
		field                  string
	}{
		{"unknown grouping", "prog-food", "donor", time.Time{}, time.Time{}, apierr.Invalid("group_by", ""), "group_by"},
		{"to before from", "prog-food", "day", time.Unix(2000, 0), time.Unix(1000, 0), apierr.Invalid("to", ""), "to"},
		{"unknown program", "prog-nope", "day", time.Time{}, time.Time{}, apierr.ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.svc.ProgramReport(ctx, tt.program, tt.groupBy, tt.from, tt.to)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if e, _ := apierr.As(err); tt.field != "" && e.Field != tt.field {
				t.Errorf("field %q, want %q", e.Field, tt.field)
			}
		})
	}
	if _, err := w.svc.Transactions(ctx, report.TransactionQuery{ProgramID: "prog-nope", Page: 1, PageSize: 10}); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("transactions of an unknown program: %v", err)
	}
}

func TestWriteCSV_WritesHeaderRowsAndDefusesFormulas(t *testing.T) {
	var buf bytes.Buffer
	err := report.WriteCSV(&buf, report.Report{GroupBy: "vendor", Rows: []report.Row{
		{Key: "Bakery, North", Amount: 200, Count: 1}, {Key: "=HYPERLINK(\"x\")", Amount: 5, Count: 2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := "vendor,amount,count\n\"Bakery, North\",200,1\n\"'=HYPERLINK(\"\"x\"\")\",5,2\n"
	if buf.String() != want {
		t.Errorf("csv\n got %q\nwant %q", buf.String(), want)
	}
}

// playedFood is a world after play, and all of prog-food's transactions in one page.
func playedFood(t *testing.T) (*world, report.TransactionPage) {
	t.Helper()
	w := newWorld(t)
	w.play()
	w.sync()
	all, err := w.svc.Transactions(context.Background(), report.TransactionQuery{ProgramID: "prog-food", Page: 1, PageSize: report.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return w, all
}

func TestTransactions_PagesNewestFirst(t *testing.T) {
	w, all := playedFood(t)
	ctx := context.Background()
	// created, funded, 3 allocations, 3 + 2 redemption items, settled, expired
	if all.Total != 12 || len(all.Transactions) != 12 {
		t.Fatalf("total %d, %d listed; want 12", all.Total, len(all.Transactions))
	}
	kinds := map[string]int{}
	for i, tx := range all.Transactions {
		kinds[tx.Kind]++
		if tx.ProgramID != "prog-food" || tx.ChainProgramID != 1 || tx.TxHash == "" || tx.Time.IsZero() {
			t.Errorf("transaction %d: %+v", i, tx)
		}
		if i > 0 {
			prev := all.Transactions[i-1]
			if prev.BlockNumber < tx.BlockNumber || (prev.BlockNumber == tx.BlockNumber && prev.LogIndex < tx.LogIndex) {
				t.Errorf("transaction %d is newer than the one before it", i)
			}
		}
	}
	wantKinds := map[string]int{"program_created": 1, "funding": 1, "allocation": 3, "redemption": 4, "redemption_rejected": 1, "settlement": 1, "expiry": 1}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("kinds %v, want %v", kinds, wantKinds)
	}
	for _, tx := range all.Transactions {
		if tx.Kind == "redemption_rejected" && (tx.Reason != "insufficient_balance" || tx.Amount != 5000 || tx.Category != "food" || tx.VendorName != "Bakery") {
			t.Errorf("rejection %+v", tx)
		}
	}

	var paged []report.Transaction
	for page := 1; ; page++ {
		p, err := w.svc.Transactions(ctx, report.TransactionQuery{ProgramID: "prog-food", Page: page, PageSize: 5})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 12 || p.AsOfBlock != all.AsOfBlock {
			t.Errorf("page %d: total %d as of %d", page, p.Total, p.AsOfBlock)
		}
		if len(p.Transactions) == 0 {
			break
		}
		paged = append(paged, p.Transactions...)
	}
	if !reflect.DeepEqual(paged, all.Transactions) {
		t.Errorf("pages of 5 do not add up to the whole list")
	}
	every, err := w.svc.Transactions(ctx, report.TransactionQuery{Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if every.Total != 12+4 { // program 2: created, funded, allocated, redeemed
		t.Errorf("all programs: total %d, want 16", every.Total)
	}
	// A program's status changes are listed and counted too, though the rollups do not total them.
	w.Transact(w.t, ledgerABI.PackSetProgramActive(2, false))
	w.sync()
	for _, c := range []struct {
		program string
		want    int
	}{{"prog-food", 12}, {"", 17}} {
		p, err := w.svc.Transactions(ctx, report.TransactionQuery{ProgramID: c.program, Page: 1, PageSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != int64(c.want) || len(p.Transactions) != c.want {
			t.Errorf("program %q after a status change: total %d, %d listed; want %d", c.program, p.Total, len(p.Transactions), c.want)
		}
	}
	if _, err := w.svc.Transactions(ctx, report.TransactionQuery{PageSize: 10}); !errors.Is(err, apierr.Invalid("page", "")) {
		t.Errorf("page 0: %v", err)
	}
}

func TestTransactions_WalkedByCursorNeitherSkipNorRepeatWhileNewOnesArrive(t *testing.T) {
	w, all := playedFood(t)
	ctx := context.Background()
	firsts := map[int]report.TransactionPage{}
	for _, size := range []int{5, 4} { // 12 transactions: a short last page, and three full ones then an empty one
		var err error
		if firsts[size], err = w.svc.Transactions(ctx, report.TransactionQuery{ProgramID: "prog-food", Page: 1, PageSize: size}); err != nil {
			t.Fatal(err)
		}
	}
	// A newer transaction arrives after the first pages were read.
	w.Transact(w.t, ledgerABI.PackSetProgramActive(1, false))
	w.sync()
	for size, first := range firsts {
		walked, after, pages := first.Transactions, first.NextAfter, 1
		for after != "" {
			p, err := w.svc.Transactions(ctx, report.TransactionQuery{ProgramID: "prog-food", After: after, PageSize: size})
			if err != nil {
				t.Fatal(err)
			}
			if p.Page != 0 || p.Total != 13 {
				t.Errorf("size %d, after %s: page %d, total %d; want no page number and 13", size, after, p.Page, p.Total)
			}
			walked, after, pages = append(walked, p.Transactions...), p.NextAfter, pages+1
		}
		if !reflect.DeepEqual(walked, all.Transactions) {
			t.Errorf("pages of %d by cursor: %d transactions, not the %d listed before the new one", size, len(walked), len(all.Transactions))
		}
		if want := 12/size + 1; pages != want {
			t.Errorf("pages of %d: %d read, want %d", size, pages, want)
		}
	}
	// By number, the second page now starts with the first page's last transaction again.
	second, err := w.svc.Transactions(ctx, report.TransactionQuery{ProgramID: "prog-food", Page: 2, PageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	if second.Transactions[0] != firsts[5].Transactions[4] {
		t.Errorf("page 2 after a new transaction starts with %+v", second.Transactions[0])
	}
	newest := all.Transactions[0]
	for _, c := range []struct {
		name, after string
		want        int
	}{
		{"a cursor past the newest lists from the newest", "1000000-0", 13},
		{"a cursor at the newest listed lists what is older", fmt.Sprintf("%d-%d", newest.BlockNumber, newest.LogIndex), 11},
		{"nothing is older than the chain's first log", "0-0", 0},
	} {
		p, err := w.svc.Transactions(ctx, report.TransactionQuery{ProgramID: "prog-food", After: c.after, PageSize: report.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Transactions) != c.want || p.NextAfter != "" {
			t.Errorf("%s: %d listed (next %q), want %d", c.name, len(p.Transactions), p.NextAfter, c.want)
		}
	}
}

func TestWriteTransactionsCSV_WritesEveryTransactionOnceNewestFirstAcrossPages(t *testing.T) {
	w, all := playedFood(t)
	w.dir.vendors[bakery.Hex()] = report.VendorInfo{Name: "=HYPERLINK(\"x\")", Location: "North"}
	report.SetCSVPageSize(t, 5) // 12 transactions: three pages
	ctx := context.Background()
	var buf bytes.Buffer
	if err := w.svc.WriteTransactionsCSV(ctx, &buf, "prog-food"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "time block_number log_index tx_hash kind program_id chain_program_id vendor vendor_name amount category beneficiary reason redemption"
	if len(rows) == 0 || strings.Join(rows[0], " ") != want {
		t.Fatalf("header %v, want %s", rows[:min(1, len(rows))], want)
	}
	if len(rows)-1 != len(all.Transactions) {
		t.Fatalf("%d rows, want the %d transactions", len(rows)-1, len(all.Transactions))
	}
	defused := 0
	for i, tx := range all.Transactions {
		r := rows[i+1]
		pos := fmt.Sprintf("%d-%d %s %s %d", tx.BlockNumber, tx.LogIndex, tx.TxHash, tx.Kind, tx.Amount)
		if got := r[1] + "-" + r[2] + " " + r[3] + " " + r[4] + " " + r[9]; got != pos || r[5] != "prog-food" || r[11] != tx.Beneficiary {
			t.Errorf("row %d: %v, want %s", i+1, r, pos)
		}
		if tx.Vendor == bakery.Hex() {
			if r[8] != "'=HYPERLINK(\"x\")" {
				t.Errorf("row %d: vendor name %q, want it defused", i+1, r[8])
			}
			defused++
		}
	}
	if defused == 0 {
		t.Error("no transaction of the bakery: the defusing went unchecked")
	}
	buf.Reset()
	if err := w.svc.WriteTransactionsCSV(ctx, &buf, "prog-nope"); !errors.Is(err, apierr.ErrNotFound) || buf.Len() != 0 {
		t.Errorf("unknown program: %v, %d bytes written", err, buf.Len())
	}
}

func TestTransactions_RefuseAMalformedCursorOrOneWithAPageNumber(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, c := range []struct {
		q     report.TransactionQuery
		field string
	}{
		{report.TransactionQuery{After: "12"}, "after"},
		{report.TransactionQuery{After: "12-x"}, "after"},
		{report.TransactionQuery{After: "-1-0"}, "after"},
		{report.TransactionQuery{After: "99999999999999999999-0"}, "after"},
		{report.TransactionQuery{After: "1-2", Page: 1}, "page"},
		{report.TransactionQuery{After: "1-2", PageSize: report.MaxPageSize + 1}, "page_size"},
	} {
		_, err := w.svc.Transactions(ctx, c.q)
		if e, ok := apierr.As(err); !ok || !errors.Is(err, apierr.Invalid(c.field, "")) || e.Field != c.field {
			t.Errorf("%+v: %v, want invalid %s", c.q, err, c.field)
		}
	}
}

// Reports carry only what the chain carries: figures, names and places of vendors and programs,
// and beneficiaries as 0x pseudonyms. This walks every JSON key a report can produce.
func TestReports_CarryNoPersonalData(t *testing.T) {
	w := newWorld(t)
	w.play()
	w.refundPharmacySale(10)
	ctx := context.Background()
	var docs []any
	sum, err := w.svc.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, sum)
	for _, g := range []string{report.ByVendor, report.ByCategory, report.ByLocation, report.ByDay, report.ByWeek} {
		r, err := w.svc.ProgramReport(ctx, "prog-food", g, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, r)
	}
	txs, err := w.svc.Transactions(ctx, report.TransactionQuery{Page: 1, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, txs)

	allowed := map[string]bool{}
	for _, k := range strings.Fields(`as_of_block chain_id contract programs id chain_program_id name currency decimals funded allocated
		redeemed refunded settled settled_reversed expired outstanding beneficiaries vendors redemptions refunds redemption program_id group_by rows key amount count
		total page page_size transactions tx_hash block_number log_index time kind vendor vendor_name category beneficiary reason`) {
		allowed[k] = true
	}
	pseudonym := regexp.MustCompile(`^0x[0-9a-f]{64}$`)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !allowed[k] {
					t.Errorf("unexpected field %q in a report", k)
				}
				if k == "beneficiary" && x != "" && !pseudonym.MatchString(x.(string)) {
					t.Errorf("beneficiary %q is not a pseudonym", x)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, word := range []string{"pin", "card", "phone", "birth", "national"} {
			if bytes.Contains(bytes.ToLower(b), []byte(word)) {
				t.Errorf("report mentions %q: %s", word, b)
			}
		}
		var generic any
		if err := json.Unmarshal(b, &generic); err != nil {
			t.Fatal(err)
		}
		walk(generic)
	}
}
